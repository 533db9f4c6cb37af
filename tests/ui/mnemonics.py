"""The Alt+letter keys a window, page or dialog offers (the & in its buttons', tabs', labels' and menus' words), as
the tests check them: each control in sight has a letter of its own, clear of the menu bar's."""

from __future__ import annotations

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QAbstractButton, QGroupBox, QLabel, QMenuBar, QTabBar, QWidget


def letter(text: str) -> str:
    """The letter after a lone & in `text`, "" if none ("&&" is an ampersand shown, not a key)."""
    key = QKeySequence.mnemonic(text)
    return "" if key.isEmpty() else key.toString().removeprefix("Alt+")


def mnemonics(root: QWidget) -> dict[str, str]:
    """Each control in sight in `root` that words can name, by its words without the & (a button's, a tab's, a group
    box's, a label's with a field to reach, a menu bar's menu), with its Alt+letter, "" if it has none. Buttons
    with no words (a tile, an icon) have no letter to give and are left out."""
    shown = [(b.text(), b) for b in root.findChildren(QAbstractButton) if b.text()]
    shown += [(g.title(), g) for g in root.findChildren(QGroupBox) if g.title()]
    shown += [(label.text(), label) for label in root.findChildren(QLabel)
              if label.buddy() is not None and letter(label.text())]
    for bar in root.findChildren(QTabBar):
        shown += [(bar.tabText(index), bar) for index in range(bar.count())]
    for bar in root.findChildren(QMenuBar):
        shown += [(action.text(), bar) for action in bar.actions() if action.isVisible()]
    return {words.replace("&", ""): letter(words) for words, widget in shown
            if widget is root or widget.isVisibleTo(root)}


def clashes(keys: dict[str, str]) -> list[str]:
    """The letters more than one control takes, each with their words ("S: Save, Search"); none when each is one
    control's."""
    taking: dict[str, list[str]] = {}
    for words, key in keys.items():
        if key:
            taking.setdefault(key, []).append(words)
    return [f"{key}: {', '.join(sorted(words))}" for key, words in sorted(taking.items()) if len(words) > 1]


def without_letters(keys: dict[str, str]) -> list[str]:
    """The words with a letter in them but no Alt+letter to reach them ("+" and "100%" have none to give)."""
    return [words for words, key in keys.items() if not key and any(c.isalpha() for c in words)]
