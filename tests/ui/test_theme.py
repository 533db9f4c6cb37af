"""The theme's text is readable: every text/background pair meets WCAG AA (4.5:1); a disabled control looks it."""

from __future__ import annotations

from collections import Counter

import pytest

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QPalette
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QWidget,
)

from jointlead.ui.application import make_application
from jointlead.ui.theme import (
    DISABLED_BORDER,
    DISABLED_FILL,
    DISABLED_TEXT,
    NHS_BLUE,
    NHS_TEXT,
    NHS_WHITE,
    TEXT_PAIRS,
    contrast_ratio,
)


@pytest.mark.parametrize(("foreground", "background"), TEXT_PAIRS)
def test_text_contrast_is_at_least_4_5_to_1(foreground, background):
    assert contrast_ratio(foreground, background) >= 4.5


def test_the_contrast_measure_agrees_with_wcag_reference_values():
    assert contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)


# --- disabled controls: clearly unavailable, still readable ----------------------------------------------------------

def _colours(widget: QWidget) -> Counter[str]:
    """How many pixels of each colour the widget paints, as "#RRGGBB"."""
    image = widget.grab().toImage()
    return Counter(image.pixelColor(x, y).name().upper() for x in range(image.width()) for y in range(image.height()))


@pytest.fixture
def holder(qtbot) -> QWidget:
    """A shown window in the app's style, for controls placed by hand (a layout would set the window's size limits,
    which the offscreen platform warns it cannot)."""
    make_application()
    holder = QWidget()
    holder.resize(420, 120)
    qtbot.addWidget(holder)
    return holder


@pytest.mark.parametrize(("name", "enabled_text"), [("", NHS_WHITE), ("secondary", NHS_BLUE)])
def test_a_disabled_button_has_grey_text_on_grey_in_a_grey_border_and_keeps_its_size(holder, name, enabled_text):
    enabled, disabled = QPushButton("Save the file", holder), QPushButton("Save the file", holder)
    for left, button in ((10, enabled), (200, disabled)):
        button.setObjectName(name)
        button.move(left, 10)
        button.resize(button.sizeHint())
    disabled.setEnabled(False)
    holder.show()
    QTest.qWaitForWindowExposed(holder)
    assert enabled_text in _colours(enabled)
    colours = _colours(disabled)
    assert colours.most_common(1)[0][0] == DISABLED_FILL
    assert DISABLED_TEXT in colours and DISABLED_BORDER in colours and enabled_text not in colours
    assert disabled.sizeHint() == enabled.sizeHint()  # enabling it later moves nothing
    QTest.mouseMove(disabled, disabled.rect().center())
    QTest.qWait(20)
    assert disabled.underMouse() and _colours(disabled) == colours  # no hover


@pytest.mark.parametrize("kind", [QLineEdit, QComboBox, QCheckBox, QRadioButton, QDateEdit])
def test_a_disabled_field_or_choice_is_written_in_grey(holder, kind):
    widget = kind(holder)
    widget.ensurePolished()
    palette = widget.palette()
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.WindowText, QPalette.ColorRole.ButtonText):
        assert palette.color(QPalette.ColorGroup.Active, role).name().upper() == NHS_TEXT
        assert palette.color(QPalette.ColorGroup.Disabled, role).name().upper() == DISABLED_TEXT


def test_a_disabled_text_box_is_grey(holder):
    enabled, disabled = QLineEdit("Agreed at the board", holder), QLineEdit("Agreed at the board", holder)
    disabled.move(200, 0)
    disabled.setEnabled(False)
    holder.show()
    assert _colours(enabled).most_common(1)[0][0] == NHS_WHITE
    assert _colours(disabled).most_common(1)[0][0] == DISABLED_FILL


def test_the_application_is_styled_once_however_often_it_is_asked_for(qtbot):
    # Each window the tests make asks for the application: restyling every widget alive each time grew with them.
    make_application()
    widget = QPushButton("Save")
    qtbot.addWidget(widget)
    restyled = []

    class Watch(QObject):
        def eventFilter(self, _watched, event):
            if event.type() == QEvent.Type.StyleChange:
                restyled.append(event)
            return False

    watch = Watch()
    widget.installEventFilter(watch)
    assert make_application().style() is QApplication.instance().style()
    assert restyled == []


def test_the_window_wears_jointleads_icon_at_every_size_windows_asks_for(window):
    # From resources/jointlead.ico, as the installer and the frozen app's executable do.
    icon = window.windowIcon()
    assert not icon.isNull()
    sizes = {size.width() for size in icon.availableSizes()}
    assert {16, 24, 32, 48, 256} <= sizes
    corner, middle = icon.pixmap(32, 32).toImage().pixelColor(16, 3), icon.pixmap(32, 32).toImage().pixelColor(16, 16)
    assert corner.name().upper() == NHS_BLUE.upper() and middle.name().upper() != NHS_BLUE.upper()
