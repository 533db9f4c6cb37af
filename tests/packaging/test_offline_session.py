"""A scripted session in the window under the socket guard: open a database, visit every page, export, close."""

from __future__ import annotations

import pytest

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from jointlead.ui.application import make_application, open_settings
from jointlead.ui.main_window import MainWindow


@pytest.fixture
def answered(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Message boxes answered Yes instead of waiting for a person; what they said, kept."""
    said: list[str] = []

    def answer(*args, **_kwargs):
        said.append(" ".join(str(a) for a in args[1:]))
        return QMessageBox.StandardButton.Yes

    for name in ("warning", "critical", "information", "question", "about"):
        monkeypatch.setattr(QMessageBox, name, staticmethod(answer))
    return said


def test_a_whole_session_in_the_window_opens_no_socket(qtbot, demo_path, tmp_path, data_dir, socket_guard, answered):
    from jointlead.ui.export_dialog import ExportDialog

    before = len(socket_guard.attempts)
    make_application()
    window = MainWindow(open_settings())
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)

    assert window.open_path(demo_path)
    for row in range(window.navigation.count()):
        window.navigation.setCurrentRow(row)
        assert window.pages.currentIndex() == row
        assert not window.current_page().grab().isNull()  # painted, as the person at the screen would see it

    window.export_action.trigger()
    dialog = window.findChild(ExportDialog)
    assert dialog is not None and dialog.isVisible()
    out = tmp_path / "export.xlsx"
    dialog.path.setText(str(out))
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Wrote" in window.statusBar().currentMessage(), timeout=60_000)
    assert out.stat().st_size > 0

    window.show_about()
    assert any("never uses the network" in text for text in answered)
    window.close()
    assert window.database is None
    assert socket_guard.attempts[before:] == []
