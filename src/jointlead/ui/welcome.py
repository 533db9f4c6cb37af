"""The first screen when there is no database yet: start empty, explore the demo, or open a file."""

from __future__ import annotations

from enum import Enum

from PySide6.QtWidgets import QDialog, QLabel, QLayout, QPushButton, QVBoxLayout, QWidget


class WelcomeChoice(Enum):
    CREATE_EMPTY = "create"
    OPEN_DEMO = "demo"
    OPEN_FILE = "open"
    QUIT = "quit"


class WelcomeDialog(QDialog):
    def __init__(self, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Welcome to jointlead")
        self.choice = WelcomeChoice.QUIT
        title = QLabel("Welcome to jointlead", self)
        title.setObjectName("pageTitle")
        text = QLabel("jointlead keeps one record of your integrated service: pooled budgets, reporting lines, "
                      "supervision and actions. It stays on this computer and never uses the network.\n\n"
                      "There is no database here yet. How would you like to start?", self)
        text.setWordWrap(True)
        text.setMinimumWidth(470)  # a wrapped label needs a width before it can say how tall it is
        layout = QVBoxLayout(self)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        layout.setContentsMargins(28, 24, 28, 24)
        layout.setSpacing(12)
        layout.addWidget(title)
        layout.addWidget(text)
        for label, choice, primary in (
            ("&Create an empty database", WelcomeChoice.CREATE_EMPTY, True),
            ("Explore the &demo service (fictional data)", WelcomeChoice.OPEN_DEMO, False),
            ("&Open an existing database…", WelcomeChoice.OPEN_FILE, False),
            ("&Quit", WelcomeChoice.QUIT, False),
        ):
            button = QPushButton(label, self)
            button.setAccessibleName(label.replace("&", ""))
            if not primary:
                button.setObjectName("secondary")
            button.setAutoDefault(primary)
            button.setDefault(primary)
            button.clicked.connect(lambda _checked=False, c=choice: self._choose(c))
            layout.addWidget(button)

    def _choose(self, choice: WelcomeChoice) -> None:
        self.choice = choice
        if choice == WelcomeChoice.QUIT:
            self.reject()
        else:
            self.accept()
