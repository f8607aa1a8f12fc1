"""Every screen key the help lists is one that can be pressed, and none takes another's."""
from __future__ import annotations

from ui_support import make_ctx, open_desk


def test_screen_keys_can_be_pressed_and_clash_with_none(tmp_path, qtbot):
    from PySide6.QtGui import QKeySequence

    from cisr_desk.ui.main_window import MainWindow, screen_key

    desk = open_desk(tmp_path)
    window = MainWindow(make_ctx(desk, "admin", tmp_path))
    qtbot.addWidget(window)
    keys = [act.shortcut().toString() for act in window.go_actions.values()]
    assert keys[:9] == [f"Ctrl+{n}" for n in range(1, 10)] and keys[9:] == [""]  # was "Ctrl+10": no key
    assert screen_key(10) == ""
    editor = window.screens["review"].editor
    taken = {a.shortcut().toString() for a in (editor.act_zoom_in, editor.act_zoom_out, editor.act_fit)}
    assert not taken & set(keys) - {""}
    assert QKeySequence("Ctrl+0").toString() in taken  # the page's fit: why the tenth screen has none
    desk.close()
