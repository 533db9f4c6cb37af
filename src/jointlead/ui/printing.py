"""Printing what a page shows, or saving it as a PDF for board papers: a table as a document, the rest as a picture.

How the window uses it (File > Print…, Print preview…, Save as PDF…):

    printout = printout_for(window.current_page(), source=database.name, printed_on=today)
    print_with_dialog(window, printout)      # the system print dialog, then prints; False if cancelled
    preview_with_dialog(window, printout)    # Qt's print preview, from which the user can print
    save_pdf_with_dialog(window, printout, suggested)  # asks where, saves, reports a problem in a dialog
    printout.save_pdf(path)                  # no dialog; raises JointleadError if the file cannot be written

`printout_for(page)` decides what to print. An org chart the page is showing (People & lines' Org chart tab)
is printed whole, however little of it is scrolled into view, over as many pages as keep its names readable
(a team to a page, pointing to the pages its sub-teams carry on to), each with the chart's title, as-at date
and key: the same pages as its own Save PDF… button saves. A view made of several parts that a page names
(`printed_parts()`: Budgets' contributions with their instalments, a meeting with its summary) is printed as
all of them, in order. A table is printed as a table when it is what the user is working in (it holds the
keyboard focus), when it is the page's main table (the page's `table`), or when it is the one table on the page
that scrolls (a picture would show only the rows scrolled into view): its rows as shown now, after the search,
the filters and the sort, with the column headings repeated at the top of every page and numbers right-aligned
as on screen. Above it a note says which rows those are: how many, the filters chosen on the page (in the words
of its `filters_in_words(table)`), the search, and any columns left out. Anything else (the dashboard's tiles, a
page of short tables that show all their rows, a chart with no one on it) is printed as a picture of the whole
page, drawn as vectors so text stays sharp, laid out no wider than the paper so that its text prints at its
on-screen size however wide the window.

A page may look different on paper: one that offers `for_paper()`, a context manager, is shown that way while it
is measured and drawn (see `on_paper`), so the dashboard prints the month and organisation chosen as words rather
than as drop-downs, and leaves out hints that only make sense on screen. A picture runs over pages that end
between the things on the page rather than through them, and never just under a section heading: a heading goes
over with what it heads. A document of tables does the same: its pages end between rows and paragraphs.

Every printout is landscape A4 (the user may change that in the print dialog), titled with the page's heading
and the line under it (the org chart with its own title and as-at date), with a footer on each page saying
what it is, when and from which database it was printed, and "Page n of N".
"""

from __future__ import annotations

import html
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import NamedTuple

from PySide6.QtCore import QAbstractItemModel, QEvent, QMarginsF, QModelIndex, QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QPageLayout,
    QPageSize,
    QPainter,
    QPalette,
    QPen,
    QPicture,
    QRegion,
    QTextCursor,
    QTextDocument,
    QTextTable,
)
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QFileDialog, QLabel, QScrollArea, QWidget

from jointlead.domain.errors import JointleadError
from jointlead.domain.org_layout import OrgPages
from jointlead.ui.messages import show_problem
from jointlead.ui.org_chart import OrgChart
from jointlead.ui.page import day_text
from jointlead.ui.theme import NHS_PALE_GREY, NHS_SECONDARY_TEXT, NHS_TEXT
from jointlead.ui.widgets import DataTable

PDF_FILTER = "PDF documents (*.pdf)"
MARGINS_MM = QMarginsF(14, 12, 14, 10)
SCREEN_DPI = 96  # Qt's device-independent pixel: a widget drawn at this many pixels an inch is its on-screen size
# A picture a little too tall for one sheet is printed smaller on one, down to this share of its size, rather than
# leave a line or two alone on a second: the dashboard with a partner's ledger missing, or in a smaller window.
# At 0.85 the dashboard of a 1280-pixel window still prints at 80% of its on-screen size.
SHRINK_TO_ONE_PAGE = 0.85
# The type of a printed table, largest first: the first at which every figure fits whole (see TablePrintout).
TYPE_SIZES = (8.5, 8.0, 7.5, 7.0, 6.5, 6.0)
FIGURES_WHOLE = ".figure { white-space: nowrap }"
NOTHING_BROKEN = "td, th { white-space: nowrap }"
STRIPE = "#F7F9FA"  # the screen's alternate row colour, so the paper reads like the table
RULE = "#AEB7BD"
# The lines of a printed document above its tables: the page's title, the line under it and a table's note, and
# the heading of each of several parts.
TITLE_STYLE = f"font-size:15pt; font-weight:600; color:{NHS_TEXT}"
LINE_STYLE = f"font-size:9.5pt; color:{NHS_SECONDARY_TEXT}"
HEADING_STYLE = f"font-size:11pt; font-weight:600; color:{NHS_TEXT}; margin-top:14px"
LEAD_IN_GAP = 6  # pixels between the last of those lines and the table under it
# Labels that head what comes under them (by their object names, as the style sheet knows them): a page of a
# picture never ends with one.
HEADINGS = frozenset({"pageTitle", "sectionTitle"})


def footer_line(title: str, source: str, printed_on: date | None = None) -> str:
    """What every page's footer says, so a page separated from the rest of a board pack still says what it is."""
    parts = [title] if title else []
    printed = f"Printed from jointlead on {day_text(printed_on or date.today())}"
    parts.append(f"{printed} — {source}" if source else printed)
    return " · ".join(parts)


def new_printer(mode: QPrinter.PrinterMode = QPrinter.PrinterMode.HighResolution) -> QPrinter:
    """A printer set up for board papers: landscape A4 with margins most office printers can reach."""
    printer = QPrinter(mode)
    printer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Landscape,
                                      MARGINS_MM, QPageLayout.Unit.Millimeter))
    printer.setCreator("jointlead")
    return printer


class Printout:
    """Something ready to print: `print_to(printer)` draws its pages; `save_pdf(path)` writes them to a PDF."""

    def __init__(self, title: str, footer: str) -> None:
        self.title = title
        self.footer = footer

    def print_to(self, printer: QPrinter) -> None:
        """Draw every page on `printer`, which keeps whatever page size and orientation the user chose."""
        painter = QPainter()
        if not painter.begin(printer):
            raise JointleadError("The printout could not be started.",
                                 "Check that the printer is switched on and ready, or save as PDF instead.")
        try:
            self._draw(painter, printer)
        finally:
            painter.end()

    def save_pdf(self, path: Path | str) -> Path:
        """Write the printout to a PDF file at `path`, replacing any file there, and return the path."""
        path = Path(path)
        created = _claim(path)
        printer = new_printer()
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(path))
        printer.setDocName(self.title or path.stem)
        try:
            self.print_to(printer)
        except JointleadError:
            if created:
                path.unlink(missing_ok=True)
            raise JointleadError(f"The PDF could not be written to {path}.", _SAVE_ADVICE) from None
        return path

    def page_count(self, printer: QPrinter) -> int:
        raise NotImplementedError

    def _draw(self, painter: QPainter, printer: QPrinter) -> None:
        raise NotImplementedError

    def room(self, printer: QPrinter) -> float:
        """The height of a page left for the printout above the footer, in the printer's pixels."""
        return printer.height() - QFontMetricsF(_footer_font(), printer).height() * 3

    def _draw_footer(self, painter: QPainter, printer: QPrinter, number: int, count: int) -> None:
        width, height = printer.width(), printer.height()
        metrics = QFontMetricsF(_footer_font(), printer)
        top = height - metrics.height() * 1.4
        painter.save()
        painter.setPen(QPen(QColor(RULE), printer.resolution() / 150))
        painter.drawLine(0, int(top - metrics.height() * 0.4), width, int(top - metrics.height() * 0.4))
        painter.setFont(_footer_font())
        painter.setPen(QColor(NHS_SECONDARY_TEXT))
        pages = f"Page {number} of {count}"
        room = width - metrics.horizontalAdvance(pages) - metrics.averageCharWidth() * 4
        left = metrics.elidedText(self.footer, Qt.TextElideMode.ElideMiddle, room)
        band = QRectF(0, top, width, metrics.height())
        painter.drawText(band, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, left)
        painter.drawText(band, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, pages)
        painter.restore()


_SAVE_ADVICE = ("Choose a folder you can save into, and close the file if it is open in a PDF reader, "
                "then save again.")


def _claim(path: Path) -> bool:
    """Check the PDF can be written before drawing it, so the user hears why in words; True if it is a new file.

    Qt only reports a failed PDF as a log warning and an empty printout, with no reason given.
    """
    try:  # asking about the name can be refused too (a name too long, a folder that cannot be looked in)
        if path.is_dir():
            raise JointleadError(f"{path} is a folder, so the PDF cannot be saved under that name.",
                                 "Choose a file name ending in .pdf.")
        existed = path.exists()
        with path.open("ab"):
            pass
    except OSError as error:
        reason = error.strerror or str(error)
        raise JointleadError(f"The PDF could not be saved as {path}: {reason.lower()}.", _SAVE_ADVICE) from None
    return not existed


def _footer_font() -> QFont:
    font = QFont(QApplication.font())
    font.setPointSizeF(7.5)
    return font


@dataclass(frozen=True)
class PrintedTable:
    """A table as a printout shows it: the rows its model shows, in `columns` (every column if None), under
    `heading` (none for a printout's only table, which the page's title heads) and `note`, which says which rows
    they are ("40 of 150 people shown · search: “north”")."""

    model: QAbstractItemModel
    note: str = ""
    heading: str = ""
    columns: Sequence[int] | None = None


class PrintedPage(NamedTuple):
    """A page of a document of tables: the band of the document from `top` to `bottom`, under `repeated`, the band of
    the heading row of the table it carries on (None on a page that starts with something else)."""

    top: float
    bottom: float
    repeated: tuple[float, float] | None


class TablePrintout(Printout):
    """Tables as a document, with each table's column headings repeated at the top of every page it carries on to,
    and any words the view shows with them (a meeting's summary, given as rich text) after them in order.

    The rows are taken when the printout is made, so the paper shows what was on screen when Print was chosen
    even if a table refreshes while the print dialog is open.
    """

    def __init__(self, title: str, parts: Sequence[PrintedTable | str], *, subtitle: str = "",
                 footer: str = "") -> None:
        super().__init__(title, footer)
        self.html = document_html(title, parts, subtitle=subtitle)
        # The same with a line for each word of the tables' text: laid out with no line breaking, it is as wide as
        # the tables can be made with no word or figure broken (see document()).
        self._words = document_html(title, parts, subtitle=subtitle, word_lines=True)
        self._type_for: dict[tuple[int, int], tuple[float, str]] = {}  # by the paper's width and resolution

    def document(self, printer: QPrinter | None = None) -> QTextDocument:
        """The document as one long page as wide as `printer`'s (or as on screen, to read its text).

        No figure or word is broken over two lines ("£1,455, / 923" reads as two numbers, "Foreca / st" as
        nothing): the type is made smaller, down to TYPE_SIZES' last, until the tables fit the page with every
        figure on one line and every column at least as wide as its longest word. Only a table too wide even then
        breaks them, rather than run off the paper.
        """
        if printer is None:
            return self._document(None, TYPE_SIZES[0], FIGURES_WHOLE)
        key = (printer.width(), printer.resolution())
        if key not in self._type_for:
            self._type_for[key] = next(
                ((size, FIGURES_WHOLE) for size in TYPE_SIZES
                 if self._document(printer, size, NOTHING_BROKEN, self._words).size().width() <= printer.width()),
                (TYPE_SIZES[-1], ""))
        return self._document(printer, *self._type_for[key])

    def _document(self, printer: QPrinter | None, points: float, style: str, html: str = "") -> QTextDocument:
        document = QTextDocument()
        font = QFont(QApplication.font())
        font.setPointSizeF(points)
        document.setDefaultFont(font)
        document.setDocumentMargin(0)
        document.setDefaultStyleSheet(style)
        if printer is not None:
            # Laid out in the printer's own pixels, so text is measured as it will be printed.
            document.documentLayout().setPaintDevice(printer)
            document.setTextWidth(printer.width())
        document.setHtml(html or self.html)
        return document

    def page_count(self, printer: QPrinter) -> int:
        return len(self.pages(self.document(printer), printer))

    def pages(self, document: QTextDocument, printer: QPrinter) -> list[PrintedPage]:
        """Where each page starts and ends down the document, each under the heading row of the table it carries on.

        Pages end between rows and paragraphs (see `_starts`): Qt's own pagination splits a row whose cells wrap
        onto more lines than fit, leaving the end of an action's title alone at the top of the next page.
        """
        room = self.room(printer)
        end = document.size().height()
        starts = [start for start in _starts(document) if start[0] < end]
        pages: list[PrintedPage] = []
        top, repeated = 0.0, None
        while True:
            limit = top + room - (repeated[1] - repeated[0] if repeated else 0.0)
            if end <= limit:
                break
            # The furthest start that fits; a row or paragraph taller than a page by itself is cut, as nothing else
            # can be done with it.
            fitting = [start for start in starts if top < start[0] <= limit] or [
                start for start in starts if top < start[0]][:1]
            if not fitting:
                break
            pages.append(PrintedPage(top, fitting[-1][0], repeated))
            top, repeated = fitting[-1]
        pages.append(PrintedPage(top, end, repeated))
        return pages

    def _draw(self, painter: QPainter, printer: QPrinter) -> None:
        document = self.document(printer)
        pages = self.pages(document, printer)
        context = QAbstractTextDocumentLayout.PaintContext()
        # Black on paper whatever the desktop's colours are.
        context.palette.setColor(QPalette.ColorRole.Text, QColor(NHS_TEXT))
        rule = QPen(QColor(NHS_PALE_GREY), printer.resolution() / SCREEN_DPI)
        for number, page in enumerate(pages, start=1):
            at = 0.0
            if number > 1:
                printer.newPage()
            if page.repeated is not None:
                _draw_band(painter, document, context, page.repeated, 0)
                at = page.repeated[1] - page.repeated[0]
            _draw_band(painter, document, context, (page.top, page.bottom), at)
            if number < len(pages) and pages[number].repeated is not None:
                # The line under a row belongs to the row below it, which starts the next page.
                painter.setPen(rule)
                bottom = at + page.bottom - page.top
                painter.drawLine(QPointF(0, bottom), QPointF(document.textWidth(), bottom))
            self._draw_footer(painter, printer, number, len(pages))


def _starts(document: QTextDocument) -> list[tuple[float, tuple[float, float] | None]]:
    """Where a page may start down the document, in order, each with the band of the heading row to repeat above
    it (that of the table it starts inside), or None.

    A table's rows may start a page from its second row of figures on: its heading row, and the lines leading into
    it, go with its first. Outside the tables a page may start above any paragraph, heading or item of a list,
    except one just under a heading: a heading goes over with what it heads.
    """
    layout = document.documentLayout()
    starts: list[tuple[float, tuple[float, float] | None]] = []
    under_heading = True  # the first page starts with the title
    block = document.begin()
    while block.isValid():
        table = QTextCursor(block).currentTable()
        if table is None:
            if not under_heading:
                starts.append((layout.blockBoundingRect(block).top(), None))
            under_heading = block.blockFormat().headingLevel() > 0
        else:
            tops = _row_tops(document, table)
            headings = table.format().headerRowCount()
            repeated = (tops[0], tops[headings]) if 0 < headings < len(tops) else None
            starts += [(top, repeated) for top in tops[headings + 1:]]
            under_heading = False
            block = table.lastCursorPosition().block()  # on to what follows the table
        block = block.next()
    return starts


def _row_tops(document: QTextDocument, table: QTextTable) -> list[float]:
    """Where each row of `table` starts down the document, the heading row first."""
    layout = document.documentLayout()
    # A cell's text starts a border and its padding below the top of the row, at the top of the cell.
    device = layout.paintDevice()
    scale = device.logicalDpiY() / SCREEN_DPI if device is not None else 1.0
    above = (table.format().cellPadding() + table.format().border()) * scale
    return [layout.blockBoundingRect(table.cellAt(row, 0).firstCursorPosition().block()).top() - above
            for row in range(table.rows())]


def _draw_band(painter: QPainter, document: QTextDocument, context: QAbstractTextDocumentLayout.PaintContext,
               band: tuple[float, float], at: float) -> None:
    """Draw the part of the document from band[0] to band[1] down, `at` pixels down the page."""
    top, bottom = band
    view = QRectF(0, top, document.textWidth(), bottom - top)
    painter.save()
    painter.translate(0, at - top)
    painter.setClipRect(view)
    # What starts where the band ends (the heading over the next page's words) is left out, not drawn and clipped
    # away: clipped text is still in the PDF, found on this page by a search and by a screen reader.
    context.clip = view.adjusted(0, 0, 0, -1)
    document.documentLayout().draw(painter, context)
    painter.restore()


def _line(text: str, style: str, *, tag: str = "p", last: bool = False) -> str:
    """A line of words above a table, the last of them a little apart from it."""
    return f'<{tag} style="margin:0 0 {LEAD_IN_GAP if last else 2}px 0; {style}">{_text(text)}</{tag}>'


def document_html(title: str, parts: Sequence[PrintedTable | str], *, subtitle: str = "",
                  word_lines: bool = False) -> str:
    """The printout as HTML for QTextDocument: the title and the line under it, then each part, a table (see
    `table_html`) or words given as rich text; with `word_lines`, each word of the tables' text on a line of its own
    (to measure how narrow the tables can be)."""
    head = [(title, TITLE_STYLE), *([(subtitle, LINE_STYLE)] if subtitle else [])]
    first = parts[0] if parts else None
    if isinstance(first, PrintedTable) and not first.heading and first.note:
        head.append((first.note, LINE_STYLE))  # the only table's note goes under the title with the rest
        parts = [replace(first, note=""), *list(parts)[1:]]
    html = [_line(text, style, last=index == len(head) - 1) for index, (text, style) in enumerate(head)]
    for part in parts:
        html.append(table_html(part, word_lines=word_lines) if isinstance(part, PrintedTable) else part)
    return "\n".join(html)


def table_html(table: PrintedTable, *, word_lines: bool = False) -> str:
    """The shown rows of the table's model as an HTML table under its heading and note, every piece of text
    escaped, in its columns; with `word_lines`, each word of the table's text on a line of its own."""
    model = table.model
    cell_text = _word_lines if word_lines else _text
    columns = range(model.columnCount()) if table.columns is None else table.columns
    parts = [_line(table.heading, HEADING_STYLE, tag="h3", last=not table.note)] if table.heading else []
    if table.note:
        parts.append(_line(table.note, LINE_STYLE, last=True))
    if model.rowCount() == 0:
        parts.append(f'<p style="color:{NHS_SECONDARY_TEXT}">No rows are shown.</p>')
        return "\n".join(parts)
    # The heading row is the table's first row; TablePrintout.pages() repeats it at the top of every page.
    parts.append(f'<table width="100%" cellspacing="0" cellpadding="3" border="1" '
                 f'style="border-collapse:collapse; border-color:{NHS_PALE_GREY}; border-style:solid">')
    parts.append(f'<thead><tr bgcolor="{NHS_PALE_GREY}">')
    for column in columns:
        header = model.headerData(column, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole)
        align = _align(model.headerData(column, Qt.Orientation.Horizontal, Qt.ItemDataRole.TextAlignmentRole))
        parts.append(f'<th align="{align}"{_figure(align)} style="font-weight:600">{cell_text(header)}</th>')
    parts.append("</tr></thead><tbody>")
    for row in range(model.rowCount()):
        cells = []
        for column in columns:
            index = model.index(row, column)
            style = _colours(model, index, STRIPE if row % 2 else "")
            align = _align(model.data(index, Qt.ItemDataRole.TextAlignmentRole))
            cells.append(f'<td align="{align}"{_figure(align)}{style}>'
                         f'{cell_text(model.data(index, Qt.ItemDataRole.DisplayRole))}</td>')
        parts.append(f"<tr>{''.join(cells)}</tr>")
    parts.append("</tbody></table>")
    return "\n".join(parts)


def _figure(align: str) -> str:
    # Figures (money, counts) are right-aligned, as on screen; FIGURES_WHOLE keeps them on one line.
    return ' class="figure"' if align == "right" else ""


def _text(value: object) -> str:
    text = "" if value is None else str(value)
    return html.escape(text).replace("\n", "<br>")


def _word_lines(value: object) -> str:
    return "<br>".join(html.escape(word) for word in ("" if value is None else str(value)).split())


def _align(value: object) -> str:
    if value is None:
        return "left"
    flags = Qt.AlignmentFlag(int(value))  # models give alignment as an int or as flags
    if flags & Qt.AlignmentFlag.AlignRight:
        return "right"
    if flags & Qt.AlignmentFlag.AlignHCenter:
        return "center"
    return "left"


def _colours(model: QAbstractItemModel, index: QModelIndex, stripe: str) -> str:
    """The cell's own text and fill colours (a RAG rating stays red, amber or green on paper), else the stripe, and
    its weight (a total's row is bold)."""
    style = []
    font = model.data(index, Qt.ItemDataRole.FontRole)
    if isinstance(font, QFont) and font.bold():  # a total, as the screen shows it
        style.append("font-weight:600")
    foreground = model.data(index, Qt.ItemDataRole.ForegroundRole)
    if isinstance(foreground, QBrush | QColor):
        style.append(f"color:{QBrush(foreground).color().name()}")
    background = model.data(index, Qt.ItemDataRole.BackgroundRole)
    fill = QBrush(background).color().name() if isinstance(background, QBrush | QColor) else stripe
    attributes = f' style="{";".join(style)}"' if style else ""
    return attributes + (f' bgcolor="{fill}"' if fill else "")


class PicturePrintout(Printout):
    """A widget drawn on paper: laid out no wider than the paper and printed at its on-screen size (or a little
    smaller, to keep it to one sheet, or to fit a widget that cannot be made that narrow), over as many pages as
    its height needs, each page ending above a tile or table rather than through it where it can, and never just
    under a heading."""

    def __init__(self, widget: QWidget, *, title: str = "", footer: str = "", page: QWidget | None = None) -> None:
        super().__init__(title, footer)
        self.widget = widget
        self.page = widget if page is None else page  # the page whose for_paper() `widget` is drawn under

    def scale(self, printer: QPrinter) -> float:
        """Printer pixels per widget pixel: fit to the page's width, never enlarged past the on-screen size; and a
        little smaller where that fits the whole on one sheet (as measured on paper: see `laid_out`)."""
        natural = printer.resolution() / SCREEN_DPI
        across = min(natural, printer.width() / max(1, self.widget.width()))
        whole = self.room(printer) / max(1, content_height(self.widget))
        return whole if across * SHRINK_TO_ONE_PAGE <= whole < across else across

    def page_tops(self, printer: QPrinter) -> list[int]:
        """Where each page starts down the widget as printed, in widget pixels."""
        with self.laid_out(printer):
            return self._page_tops(printer)

    @contextmanager
    def laid_out(self, printer: QPrinter) -> Iterator[None]:
        """The widget as `printer` prints it for as long as the `with` lasts, and as it was on screen afterwards:
        as it looks on paper (`on_paper`), laid out no wider than the paper.

        Drawn as wide as a wide window, the page would be shrunk to the paper's width, and its text with it: the
        dashboard of a 1920-pixel window printed its words at half their size. Laid out at the paper's width, its
        tiles take more rows instead, and the words print at their on-screen size.
        """
        widget = self.widget
        size, widest = widget.size(), widget.maximumWidth()
        paper = int(printer.width() * SCREEN_DPI / printer.resolution())
        # Not narrower than the widget can be laid out: one that cannot is shrunk to fit instead (see scale).
        widget.setMaximumWidth(min(widest, max(paper, widget.minimumSizeHint().width(), widget.minimumWidth())))
        try:
            _settle_layouts()
            with on_paper(self.page):
                # As tall as it would be: a window shorter than that had squeezed what it shows (the supervision trend
                # printed at half its height), where paper has the room. Resized last, so no layout undoes it.
                wanted = (widget.heightForWidth(widget.width()) if widget.hasHeightForWidth()
                          else widget.sizeHint().height())
                if wanted > widget.height():
                    widget.resize(widget.width(), min(wanted, widget.maximumHeight()))
                yield
        finally:
            widget.setMaximumWidth(widest)
            widget.resize(size)
            _settle_layouts()

    def _page_tops(self, printer: QPrinter) -> list[int]:
        # A hair over the whole number: room / scale is the content's height itself when shrunk to fit one sheet,
        # and may come out a rounding error under it.
        room = self.room(printer) / self.scale(printer)
        return page_tops(self.widget, max(1, int(room + 1e-6)))

    def page_count(self, printer: QPrinter) -> int:
        return len(self.page_tops(printer))

    def picture(self, top: int, bottom: int) -> QPicture:
        """The band of the widget from `top` to `bottom`, recorded as vectors, its top at the picture's origin.

        Rendered straight onto a printer, a widget is drawn into a bitmap the size of the printed page (Qt does
        that for every printer): 435 MB of memory for the dashboard at 1,200 dots an inch and a 6 MB PDF.
        Recorded first, its text stays text. Each page records its own band because a picture replays the
        widgets' own clipping, which would undo any clip set around it.
        """
        picture = QPicture()
        # A scrolling page's content fills itself with the window's grey, which would print as a grey sheet.
        filled = self.widget.autoFillBackground()
        self.widget.setAutoFillBackground(False)
        try:
            self.widget.render(picture, QPoint(0, 0), QRegion(0, top, self.widget.width(), bottom - top),
                               QWidget.RenderFlag.DrawChildren)
        finally:
            self.widget.setAutoFillBackground(filled)
        return picture

    def print_to(self, printer: QPrinter) -> None:
        # A recorded picture replays its text at the printer's resolution, so the printer works in on-screen
        # pixels for it to line up with the rest of the drawing. Text stays vector text; only the style's small
        # cached bitmaps (frame corners) print at screen sharpness.
        printer.setResolution(SCREEN_DPI)
        with self.laid_out(printer):
            super().print_to(printer)

    def _draw(self, painter: QPainter, printer: QPrinter) -> None:
        scale = self.scale(printer)
        tops = self._page_tops(printer)
        bottoms = [*tops[1:], content_height(self.widget)]
        for number, (top, bottom) in enumerate(zip(tops, bottoms, strict=True), start=1):
            if number > 1:
                printer.newPage()
            painter.save()
            painter.scale(scale, scale)
            painter.drawPicture(0, 0, self.picture(top, bottom))
            painter.restore()
            self._draw_footer(painter, printer, number, len(tops))


class ChartPrintout(Printout):
    """The whole org chart, not only the part scrolled into view, over as many pages of the paper chosen as keep
    every name readable (OrgChart.paginate): each page with the chart's title, as-at date, which page and whose
    team it is, and the key, above the footer. Drawn by the chart itself (OrgChart.paint_printed) in on-screen
    pixels scaled to the printer, so Print, the preview, File > Save as PDF… and the chart's own Save PDF… button
    give the same pages on the same paper."""

    def __init__(self, chart: OrgChart, *, title: str = "", footer: str = "") -> None:
        super().__init__(title, footer)
        self.chart = chart

    def pages(self, printer: QPrinter) -> OrgPages:
        return self.chart.paginate(self.page_rect(printer))

    def page_count(self, printer: QPrinter) -> int:
        return len(self.pages(printer).pages)

    def page_rect(self, printer: QPrinter) -> QRectF:
        """The page left for the chart above the footer, in 96 dpi pixels (the chart's own units)."""
        dots = printer.resolution() / SCREEN_DPI
        return QRectF(0, 0, printer.width() / dots, self.room(printer) / dots)

    def _draw(self, painter: QPainter, printer: QPrinter) -> None:
        dots = printer.resolution() / SCREEN_DPI
        pages = self.pages(printer)
        count = len(pages.pages)
        for number in range(1, count + 1):
            if number > 1:
                printer.newPage()
            painter.save()
            painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
            painter.scale(dots, dots)
            self.chart.paint_printed(painter, self.page_rect(printer), pages, number)
            painter.restore()
            self._draw_footer(painter, printer, number, count)


def page_tops(widget: QWidget, room: int) -> list[int]:
    """Where each page starts when `widget` is cut into pages `room` pixels tall.

    A page ends just above any piece of the widget it would otherwise cut through (a tile, a table, a chart; see
    `_pieces`), unless that piece is taller than a page by itself and has to be cut anyway; and above a heading
    (HEADINGS) that would otherwise be the last thing on it, so that the heading starts the next page with what it
    heads.
    """
    spans = _pieces(widget, room)
    height = content_height(widget)
    tops = [0]
    while tops[-1] + room < height:
        start = tops[-1]
        cut = start + room
        moved = True
        while moved:
            moved = False
            for top, bottom, _heading in spans:
                if start < top < cut < bottom and bottom - top <= room:
                    cut, moved = top, True
            on_page = [span for span in spans if start <= span[0] < cut]
            lowest = max((top for top, _bottom, _heading in on_page), default=start)
            if start < lowest and any(heading and bottom <= cut for top, bottom, heading in on_page if top == lowest):
                cut, moved = lowest, True
        tops.append(cut)
    return tops


def _pieces(widget: QWidget, room: int, within: QWidget | None = None) -> list[tuple[int, int, bool]]:
    """What a page may end above on `widget`, as (top, bottom, whether a heading) in the coordinates of `within`
    (default: the widget itself): its children, each drawn as one piece, except that a container taller than a page
    (the Budgets page's figures: its tiles, the view's name, a chart) gives its own pieces instead. A table or chart
    is always one piece: it scrolls or draws itself."""
    within = widget if within is None else within
    pieces = []
    for child in _children(widget):
        if child.height() > room and not isinstance(child, QAbstractScrollArea) and _children(child):
            pieces += _pieces(child, room, within)
            continue
        top = child.mapTo(within, QPoint(0, 0)).y()
        pieces.append((top, top + child.height(), _is_heading(child)))
    return pieces


def _children(widget: QWidget) -> list[QWidget]:
    """The widget's own children that show, each drawn as one piece (a tile, a heading, a table)."""
    return [child for child in widget.findChildren(QWidget)
            if child.parentWidget() is widget and child.isVisibleTo(widget)]


def _is_heading(widget: QWidget) -> bool:
    return isinstance(widget, QLabel) and widget.objectName() in HEADINGS


def _spans(widget: QWidget) -> list[tuple[int, int]]:
    return [(child.y(), child.y() + child.height()) for child in _children(widget)]


def content_height(widget: QWidget) -> int:
    """How far down the widget anything is drawn: a page stretched to fill the window would otherwise print its
    empty lower part, often as a blank last sheet."""
    bottoms = [bottom for _top, bottom in _spans(widget)]
    return min(widget.height(), max(bottoms)) if bottoms else widget.height()


def printout_for(page: QWidget, *, source: str = "", printed_on: date | None = None) -> Printout:
    """The printout of what `page` shows: the whole org chart if it is showing one, the parts of a view it names,
    its table if it is showing one (see the module's notes), else a picture of the page. `source` names where the
    data came from (the database file) in the footer."""
    title = _label_text(page, "heading") or page.accessibleName() or page.windowTitle()
    with on_paper(page):  # the line under the heading as paper shows it: no on-screen hints
        subtitle = _label_text(page, "subtitle")
    footer = footer_line(title, source, printed_on)
    chart = chart_to_print(page)
    if chart is not None:
        return ChartPrintout(chart, title=title, footer=footer)
    parts = parts_to_print(page)
    if parts:
        return TablePrintout(title, parts, subtitle=subtitle, footer=footer)
    table = table_to_print(page)
    if table is not None:
        return TablePrintout(title, [printed_table(page, table)], subtitle=subtitle, footer=footer)
    return PicturePrintout(_whole(page), title=title, footer=footer, page=page)


@contextmanager
def on_paper(page: QWidget) -> Iterator[None]:
    """`page` as it looks on paper for as long as the `with` lasts, and as it was on screen afterwards.

    A page that looks different on paper offers `for_paper()`, a context manager during which it shows what a
    printout should (the dashboard's choices as words, not drop-downs; no "Select a tile…"); any other page is
    printed as it is. Layouts are brought up to date on the way in (and out), so the pages are measured as they
    are drawn and as the screen is about to show them. Nothing is painted on screen meanwhile: printing runs to
    the end before the window next paints.
    """
    for_paper = getattr(page, "for_paper", None)
    if not callable(for_paper):
        _settle_layouts()
        yield
        return
    try:
        with for_paper():
            _settle_layouts()
            yield
    finally:
        _settle_layouts()


def _settle_layouts() -> None:
    """Lay out now what a widget shown, hidden or reworded has asked to be laid out again (Qt would at its next
    turn of the event loop), including a scrolling page's content taking its new height."""
    QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)


def chart_to_print(page: QWidget) -> OrgChart | None:
    """The org chart `page` is showing (the page itself, or its tab in view), if it has anyone on it; else None.

    An empty chart shows why it is empty in words, which print as they look (the chart's own export buttons
    are off then too).
    """
    charts = [page] if isinstance(page, OrgChart) else []
    charts += [chart for chart in page.findChildren(OrgChart) if chart.isVisibleTo(page)]
    return next((chart for chart in charts if chart.cards), None)


def parts_to_print(page: QWidget) -> list[PrintedTable | str]:
    """The parts of the view `page` shows, for a view made of several (a table and another table, or a table and
    words beside it), as the page names them in `printed_parts()`: (heading, a DataTable or rich text) for each, in
    the order the view shows them. Empty for a page that names none: its view is printed as one thing."""
    named = getattr(page, "printed_parts", None)
    if not callable(named):
        return []
    parts: list[PrintedTable | str] = []
    for heading, part in named() or ():
        if isinstance(part, DataTable):
            parts.append(printed_table(page, part, heading))
        else:
            parts.append(f'<h3 style="{HEADING_STYLE}">{_text(heading)}</h3>{part}' if heading else part)
    return parts


def table_to_print(page: QWidget) -> DataTable | None:
    """The table the user means when they print `page`, or None to print the page as a picture.

    A table that scrolls itself would print as a picture of the rows scrolled into view, so the one such table on a
    page is printed as a table, however little of the page it takes in a short window. A table that shows all its
    rows is part of a page made of several things (the dashboard's list of organisations under its tiles), which
    prints as a picture with it, whatever the size of the window.
    """
    shown = [table for table in page.findChildren(DataTable) if table.isVisibleTo(page)]
    focus = QApplication.focusWidget()
    for table in shown:
        # Clicking in a table that shows all its rows does not make it the thing to print either.
        in_use = focus is not None and (focus is table or table.isAncestorOf(focus))
        if in_use and _scrolls_itself(table):
            return table
    main = getattr(page, "table", None)
    if isinstance(main, DataTable) and main in shown:
        return main
    scrolling = [table for table in shown if _scrolls_itself(table)]
    return scrolling[0] if len(scrolling) == 1 else None


def _scrolls_itself(table: DataTable) -> bool:
    # A table sized to show every row has its scroll bar switched off (DataTable's fit_rows).
    return table.view.verticalScrollBarPolicy() != Qt.ScrollBarPolicy.ScrollBarAlwaysOff


def printed_table(page: QWidget, table: DataTable, heading: str = "") -> PrintedTable:
    """`table` of `page` as printed: its rows as shown, in the columns shown, with a note saying which they are."""
    return PrintedTable(table.model, shown_note(table, filters_chosen(page, table)), heading, table.shown_columns())


def filters_chosen(page: QWidget, table: DataTable) -> str:
    """The filters `page` has chosen for `table`, in the page's own words ("Status: Open or in progress · Due:
    Overdue"), from its `filters_in_words(table)`; empty for a page with none."""
    words = getattr(page, "filters_in_words", None)
    return words(table) if callable(words) else ""


def shown_note(table: DataTable, filters: str = "") -> str:
    """Which rows are printed, in the table's own words ("40 of 150 people shown"), with the page's `filters` (in
    words), any search typed, and the columns left out (hidden from the headings' menu): a printout of one team's
    overdue actions does not read as the whole list."""
    note = " · ".join(words for words in (table.count.text(), filters) if words)
    search = table.search.text().strip()
    if search:
        note += f" · search: “{search}”"
    shown = set(table.shown_columns())
    left_out = [spec.header.replace("\n", " ") for column, spec in enumerate(table.model.columns)
                if column not in shown]
    if left_out:
        note += f" · columns not shown: {', '.join(left_out)}"
    return note


def _label_text(page: QWidget, name: str) -> str:
    label = getattr(page, name, None)
    return label.text() if isinstance(label, QLabel) else ""


def _whole(page: QWidget) -> QWidget:
    """The whole of a scrolling page, not only the part scrolled into view."""
    for scroll in page.findChildren(QScrollArea):
        if scroll.parentWidget() is page and scroll.widget() is not None:
            return scroll.widget()
    return page


def print_with_dialog(parent: QWidget, printout: Printout) -> bool:
    """Ask which printer in the system print dialog, then print; False if the user cancelled."""
    printer = new_printer()
    printer.setDocName(printout.title)
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle(f"Print {printout.title}" if printout.title else "Print")
    if dialog.exec() != QPrintDialog.DialogCode.Accepted:
        return False
    try:
        printout.print_to(printer)
    except JointleadError as error:
        show_problem(parent, error, "Cannot print")
        return False
    return True


def preview_with_dialog(parent: QWidget, printout: Printout) -> None:
    """Show the pages as they will print, with the preview's own Print button."""
    printer = new_printer()
    printer.setDocName(printout.title)
    preview = QPrintPreviewDialog(printer, parent)
    preview.setWindowTitle(f"Print preview: {printout.title}" if printout.title else "Print preview")
    preview.paintRequested.connect(printout.print_to)
    preview.exec()


def save_pdf_with_dialog(parent: QWidget, printout: Printout, suggested: Path) -> Path | None:
    """Ask where to save the PDF (starting from `suggested`), save it, and return where; None if cancelled or
    it could not be written (the user has been told why)."""
    name, _ = QFileDialog.getSaveFileName(parent, "Save as PDF", str(suggested), PDF_FILTER)
    if not name:
        return None
    path = Path(name)
    if path.suffix.lower() != ".pdf":
        path = path.with_name(path.name + ".pdf")
    try:
        return printout.save_pdf(path)
    except JointleadError as error:
        show_problem(parent, error, "Cannot save the PDF")
        return None
