"""A calm theme in NHS identity colours; every text/background pair meets WCAG AA contrast (4.5:1)."""

from __future__ import annotations

# NHS identity palette (england.nhs.uk/nhsidentity) and the NHS.UK frontend text colour.
NHS_BLUE = "#005EB8"
NHS_DARK_BLUE = "#003087"
NHS_TEXT = "#212B32"
NHS_SECONDARY_TEXT = "#4C6272"
NHS_PALE_GREY = "#E8EDEE"
NHS_WINDOW = "#F0F4F5"
NHS_WHITE = "#FFFFFF"
NHS_GREEN = "#007F3B"
NHS_RED = "#D5281B"
NHS_WARM_YELLOW = "#FFB81C"
NHS_DARK_YELLOW = "#8A5300"  # text on white for "amber": yellow itself is unreadable as text
NHS_MID_GREY = "#AEB7BD"  # borders
NHS_LIGHT_GREY = "#D8DDE0"  # borders and gridlines

# A control that cannot be used yet: grey text on a grey fill inside a grey border, still readable (5.4:1 or more).
DISABLED_TEXT = NHS_SECONDARY_TEXT
DISABLED_FILL = NHS_PALE_GREY
DISABLED_BORDER = NHS_MID_GREY

# Colours for status text and fills. Each is (text colour, background colour).
TONES = {
    "good": (NHS_GREEN, NHS_WHITE),
    "warn": (NHS_DARK_YELLOW, NHS_WHITE),
    "bad": (NHS_RED, NHS_WHITE),
    "info": (NHS_BLUE, NHS_WHITE),
    "muted": (NHS_SECONDARY_TEXT, NHS_WHITE),
}

RAG_FILLS = {  # (text, fill) for RAG cells
    "red": (NHS_WHITE, "#B3211A"),
    "amber": (NHS_TEXT, NHS_WARM_YELLOW),
    "green": (NHS_WHITE, NHS_GREEN),
    "blue": (NHS_WHITE, NHS_BLUE),
    "grey": (NHS_TEXT, "#D8DDE0"),
}

# Every pair the stylesheet puts text on, so a test can hold each to 4.5:1.
TEXT_PAIRS = [
    (NHS_TEXT, NHS_WINDOW),
    (NHS_TEXT, NHS_WHITE),
    (NHS_SECONDARY_TEXT, NHS_WHITE),
    (NHS_SECONDARY_TEXT, NHS_WINDOW),
    (NHS_WHITE, NHS_DARK_BLUE),
    (NHS_WHITE, NHS_BLUE),
    (NHS_TEXT, NHS_PALE_GREY),
    (NHS_BLUE, NHS_WHITE),
    (DISABLED_TEXT, DISABLED_FILL),  # a disabled button, field or header
    (DISABLED_TEXT, NHS_WHITE),  # a disabled table's cells
    (DISABLED_TEXT, NHS_WINDOW),  # a disabled check box, radio button or label
    *TONES.values(),
    *RAG_FILLS.values(),
]


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio, from 1 (none) to 21 (black on white)."""
    lighter, darker = sorted((relative_luminance(foreground), relative_luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


STYLESHEET = f"""
QMainWindow, QDialog {{ background: {NHS_WINDOW}; }}
QWidget {{ color: {NHS_TEXT}; font-size: 10pt; }}
QListWidget#navigation {{
    background: {NHS_DARK_BLUE}; border: none; padding-top: 8px; outline: none;
}}
QListWidget#navigation::item {{ color: {NHS_WHITE}; padding: 10px 16px; margin: 1px 6px; border-radius: 4px; }}
QListWidget#navigation::item:selected {{ background: {NHS_BLUE}; color: {NHS_WHITE}; }}
QListWidget#navigation::item:hover:!selected {{ background: #0B3D91; }}
QLabel#pageTitle {{ font-size: 17pt; font-weight: 600; color: {NHS_TEXT}; }}
QLabel#pageSubtitle {{ color: {NHS_SECONDARY_TEXT}; }}
QLabel#sectionTitle {{ font-size: 12pt; font-weight: 600; margin-top: 6px; }}
QLabel#emptyState {{
    color: {NHS_SECONDARY_TEXT}; background: {NHS_WHITE}; border: 1px dashed #AEB7BD; border-radius: 6px;
    padding: 24px;
}}
QPushButton#tile {{
    background: {NHS_WHITE}; border: 1px solid #D8DDE0; border-left: 5px solid {NHS_BLUE}; border-radius: 6px;
    text-align: left; padding: 0px;
}}
QPushButton#tile:hover:enabled {{ border-color: {NHS_BLUE}; }}
QPushButton#tile:focus {{ border: 2px solid {NHS_WARM_YELLOW}; border-left: 5px solid {NHS_BLUE}; }}
QLabel#tileTitle {{ color: {NHS_SECONDARY_TEXT}; font-weight: 600; }}
QLabel#tileValue {{ font-size: 18pt; font-weight: 600; }}
QLabel#tileDetail {{ color: {NHS_SECONDARY_TEXT}; }}
QTableView {{
    background: {NHS_WHITE}; alternate-background-color: #F7F9FA; gridline-color: #E8EDEE;
    border: 1px solid #D8DDE0; border-radius: 4px; selection-background-color: {NHS_BLUE};
    selection-color: {NHS_WHITE};
}}
QHeaderView::section {{
    background: {NHS_PALE_GREY}; color: {NHS_TEXT}; font-weight: 600; padding: 4px 6px; border: none;
    border-right: 1px solid #D8DDE0; border-bottom: 1px solid #D8DDE0;
}}
QLineEdit {{
    background: {NHS_WHITE}; border: 1px solid #AEB7BD; border-radius: 4px; padding: 5px 8px;
}}
QLineEdit:focus, QTableView:focus {{ border: 2px solid {NHS_WARM_YELLOW}; }}
QPushButton {{
    background: {NHS_BLUE}; color: {NHS_WHITE}; border: none; border-radius: 4px; padding: 7px 14px;
    font-weight: 600;
}}
QPushButton:focus {{ outline: 2px solid {NHS_WARM_YELLOW}; }}
QPushButton:hover:enabled {{ background: {NHS_DARK_BLUE}; }}
QPushButton#secondary {{ background: {NHS_WHITE}; color: {NHS_BLUE}; border: 1px solid {NHS_BLUE}; }}
/* Disabled: grey text, fill and border, and no hover. Without this, the colours above paint a control that cannot
   be used exactly like one that can. A disabled button's border takes a pixel of its padding: the same size. */
QWidget:disabled {{ color: {DISABLED_TEXT}; }}
QPushButton:disabled, QPushButton#secondary:disabled {{
    background: {DISABLED_FILL}; color: {DISABLED_TEXT}; border: 1px solid {DISABLED_BORDER};
}}
QPushButton:disabled {{ padding: 6px 13px; }}
QPushButton#secondary:disabled {{ padding: 7px 14px; }}
QPushButton#tile:disabled {{ border-color: {NHS_LIGHT_GREY}; border-left-color: {DISABLED_BORDER}; }}
QLineEdit:disabled {{ background: {DISABLED_FILL}; border-color: {NHS_LIGHT_GREY}; }}
QTableView:disabled {{ selection-background-color: {DISABLED_FILL}; selection-color: {DISABLED_TEXT}; }}
QHeaderView::section:disabled {{ color: {DISABLED_TEXT}; }}
QStatusBar {{ background: {NHS_PALE_GREY}; }}
QStatusBar QLabel {{ padding: 0 8px; }}
QScrollArea {{ border: none; background: transparent; }}
"""
