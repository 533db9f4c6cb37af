"""Renders resources/jointlead.svg into resources/jointlead.ico: run after changing the drawing.

    QT_QPA_PLATFORM=offscreen .venv/bin/python installer/render_icon.py

The icon file holds each size Windows asks for (a window's title bar, the taskbar, Explorer, the Start menu), each as
a PNG: Windows Vista and later read PNG entries, and Qt's icon reader does too.
"""

from __future__ import annotations

import struct
import sys
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

RESOURCES = Path(__file__).resolve().parent.parent / "resources"
SIZES = (16, 20, 24, 32, 40, 48, 64, 128, 256)


def png(renderer: QSvgRenderer, size: int) -> bytes:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data.data())


def icon_file(images: dict[int, bytes]) -> bytes:
    """The ICO format: a header, a directory entry per image (a size of 256 is written as 0), then the images."""
    header = struct.pack("<HHH", 0, 1, len(images))
    offset = len(header) + 16 * len(images)
    entries, bodies = [], []
    for size, body in images.items():
        side = size % 256
        entries.append(struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(body), offset))
        bodies.append(body)
        offset += len(body)
    return header + b"".join(entries) + b"".join(bodies)


def main() -> int:
    QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(RESOURCES / "jointlead.svg"))
    if not renderer.isValid():
        print("resources/jointlead.svg could not be read", file=sys.stderr)
        return 1
    (RESOURCES / "jointlead.ico").write_bytes(icon_file({size: png(renderer, size) for size in SIZES}))
    print(f"Wrote resources/jointlead.ico ({', '.join(map(str, SIZES))} px)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
