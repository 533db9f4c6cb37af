"""Open a spreadsheet or CSV file by what it really is, refuse hostile ones early, and hand over its rows raw."""

from __future__ import annotations

import array
import codecs
import contextlib
import csv
import functools
import hashlib
import io
import itertools
import math
import multiprocessing
import multiprocessing.connection
import os
import posixpath
import re
import struct
import sys
import threading
import weakref
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar
from xml.etree import ElementTree

import python_calamine
from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeElementTree

from jointlead.exchange.problems import FileRefused, cell_reference, column_letters
from jointlead.exchange.safety import check_xml_defences

_T = TypeVar("_T")


@dataclass(frozen=True)
class ReadLimits:
    """What jointlead will read at most; each is checked before the work it guards, so a hostile file costs little."""

    max_uncompressed_bytes: int = 200 * 1024 * 1024  # zip members' declared sizes, checked before parsing
    max_rows: int = 1_000_000
    max_cell_chars: int = 32_767  # Excel's own limit per cell
    # A sheet's used rectangle, rows by columns, which calamine allocates in full (32 bytes a cell) before returning.
    max_cells: int = 30_000_000
    # A workbook whose sheets declare more cells than this, or whose parts hold more bytes, is parsed in a child
    # process (see _ChildWorkbookSource): calamine needs about 100 bytes a cell, and starting the child about 0.2 s.
    # 0 parses every workbook in a child; CSV files stream, and are always read here.
    child_from_cells: int = 1_000_000
    child_from_bytes: int = 32 * 1024 * 1024
    # In the child process, an .xlsx worksheet with more XML than this is parsed this much at a time (see _Slicer):
    # about 5,000 rows of a ledger extract, which calamine holds in 4 MB where all 500,000 took 350 MB. Larger
    # slices measured no quicker.
    slice_bytes: int = 2 * 1024 * 1024


DEFAULT_LIMITS = ReadLimits()

_PASSWORD = (
    "This workbook is password-protected.",
    "Open it in Excel, remove the password, save it, and import it again.",
)
_DAMAGED = (
    "This file is damaged or incomplete (it may not have finished downloading or saving).",
    "Ask for the file again, or open it in Excel and save a new copy.",
)
_NOT_A_SPREADSHEET = ("This is not a spreadsheet jointlead can read.", "Save it from Excel as .xlsx or .csv.")
_ENTITIES = (
    "This workbook contains content jointlead will not read (XML entity declarations).",
    "Save a fresh copy from Excel and import that.",
)
_EMPTY = ("This file is empty.", "Check that you chose the right file, or ask for it to be sent again.")
_SAVE_AS_XLSX = "Open it in Excel, choose File > Save As > Excel Workbook (.xlsx), and import the saved copy."
_TOO_BIG_ADVICE = "Ask for a smaller extract, or split it into several files, and import those."

# A part that inflates more than this many times, and to more than this size, is a bomb whatever the total says:
# real worksheets compress far less (a 500,000-row ledger: under 10 to 1), and deflate tops out near 1,032 to 1.
_MAX_COMPRESSION_RATIO = 1000
_RATIO_CHECK_FROM_BYTES = 10 * 1024 * 1024

_OLE_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
_ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")
_ODS_MIMETYPES = {
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.spreadsheet-template",
}
# Excel and LibreOffice never write a DTD; one in any XML part can only be there to declare entities.
_DTD_MARKERS = tuple(
    marker.encode(encoding) for marker in ("<!DOCTYPE", "<!ENTITY") for encoding in ("ascii", "utf-16-le", "utf-16-be")
)
_XML_HEAD_BYTES = 64 * 1024  # a DTD must come before the root element, so the start of each part is enough
_SNIFF_BYTES = 64 * 1024
_HEAD_CACHE_ROWS = 100  # head() keeps this many rows, so previews and header detection do not re-read a sheet

# Which names each real type may carry without a notice; anything else gets "read as its real type".
_QUIET_SUFFIXES = {
    "xlsx": {".xlsx", ".xltx"},
    "xlsm": {".xlsm", ".xltm", ".xlsx"},
    "xls": {".xls", ".xlt"},
    "ods": {".ods", ".ots"},
    "csv": {".csv", ".txt", ".tsv", ".tab", ".dat", ".prn"},
}
_DESCRIPTIONS = {
    "xlsx": ("an .xlsx workbook", ".xlsx"),
    "xlsm": ("an .xlsm workbook", ".xlsm"),
    "xls": ("an older .xls workbook", ".xls"),
    "ods": ("an OpenDocument (.ods) spreadsheet", ".ods"),
    "csv": ("a text (CSV) file", "text"),
}


# --- what callers get ---------------------------------------------------------------------------------------------


class _RowSource(Protocol):
    def rows(self, sheet: str) -> Iterator[list[object]]: ...

    def close(self) -> None: ...


class SourceSheet:
    """One sheet's rows, read when asked for and as often as asked; the n-th row yielded is spreadsheet row n."""

    __slots__ = ("_head", "_source", "name")

    def __init__(self, name: str, source: _RowSource) -> None:
        self.name = name
        self._source = source
        self._head: tuple[list[list[object]], bool] | None = None  # (first rows, whether that is the whole sheet)

    def rows(self) -> Iterator[list[object]]:
        """Raw values (str, int, float, bool, date, datetime, time; None when empty), blank rows included.

        May raise FileRefused part-way: a sheet over the row limit, a cell over the length limit, unreadable data.
        """
        return self._source.rows(self.name)

    def head(self, count: int) -> list[list[object]]:
        """The first `count` rows, exactly as rows() yields them, for header detection and previews."""
        if count <= 0:
            return []
        if self._head is None or (len(self._head[0]) < count and not self._head[1]):
            wanted = max(count, _HEAD_CACHE_ROWS)
            first = list(itertools.islice(self.rows(), wanted))
            self._head = (first, len(first) < wanted)
        return [list(row) for row in self._head[0][:count]]

    def __repr__(self) -> str:
        return f"SourceSheet({self.name!r})"


@dataclass(frozen=True)
class SourceFile:
    """A file as jointlead read it: its real kind, fingerprint, visible sheets, and anything worth telling the user."""

    path: Path
    kind: str  # "xlsx", "xlsm", "xls", "ods" or "csv": what the content is, whatever the name says
    sha256: str  # of the file's bytes
    sheets: tuple[SourceSheet, ...]  # visible worksheets in workbook order; a CSV has one, named after the file
    notices: tuple[str, ...]  # things that did not stop the read but the user should know

    def close(self) -> None:
        """Let go of the parsed workbook (and stop the process reading it); its rows cannot be read after this."""
        for source in {id(sheet._source): sheet._source for sheet in self.sheets}.values():
            source.close()

    def __enter__(self) -> SourceFile:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def open_source(path: Path, limits: ReadLimits | None = None) -> SourceFile:
    """Read `path` by its content (never its extension), or raise FileRefused saying what it is and what to do.

    A large workbook is parsed in a child process (`limits`, by default DEFAULT_LIMITS, says from what size): call
    close() on the result, or use it in a `with` block, when its rows have been read, to end that process.
    """
    limits = limits or DEFAULT_LIMITS
    check_xml_defences()
    path = Path(path)
    data = _read_bytes(path, limits)
    digest = hashlib.sha256(data).hexdigest()
    if not data:
        raise FileRefused(*_EMPTY)
    notices: list[str] = []
    if data.startswith((*_ZIP_SIGNATURES, _OLE_SIGNATURE)):
        if data.startswith(_ZIP_SIGNATURES):
            kind, areas, size, untrusted = _sniff_zip(path, data, limits)
        else:
            kind, areas, size, untrusted = _sniff_compound_file(data, limits), {}, len(data), False
        cells = max((rows * columns for rows, columns, _bytes in areas.values()), default=0)
        large = untrusted or cells > limits.child_from_cells or size > limits.child_from_bytes
        sheets = _open_workbook(_Reader() if large else None, data, kind, limits, notices, areas)
    else:
        kind = "csv"
        text = _sniff_text(path, data)
        sheets = (SourceSheet(path.stem, _TextSource(data, text, limits)),)
    name_notice = _name_notice(path, kind)
    if name_notice:
        notices.insert(0, name_notice)
    return SourceFile(path=path, kind=kind, sha256=digest, sheets=sheets, notices=tuple(notices))


# --- whole-file checks ----------------------------------------------------------------------------------------------


def _read_bytes(path: Path, limits: ReadLimits) -> bytes:
    # The whole file is read once: what is hashed is exactly what is parsed, even if the file changes meanwhile.
    try:
        size, limit = path.stat().st_size, limits.max_uncompressed_bytes
        if size > limit:
            raise FileRefused(
                f"This file is {_megabytes(size, limit)}, more than the {_megabytes(limit)} jointlead accepts.",
                _TOO_BIG_ADVICE,
            )
        return path.read_bytes()
    except FileNotFoundError:
        raise FileRefused(
            f"There is no file called {path.name} in {path.absolute().parent}.", "Check the name and the folder."
        ) from None
    except IsADirectoryError:
        raise FileRefused(f"{path.name} is a folder, not a file.", "Choose the spreadsheet file itself.") from None
    except PermissionError:
        raise FileRefused(
            f"jointlead is not allowed to read {path.name}.",
            "If it is open in another program, close it there; otherwise ask for access to the folder.",
        ) from None
    except OSError as error:
        raise FileRefused(
            f"{path.name} could not be read ({error.strerror}).", "Check that it is still there."
        ) from None


def _sniff_zip(path: Path, data: bytes, limits: ReadLimits) -> tuple[str, dict[str, tuple[int, int, int]], int, bool]:
    """The kind of a zip-based file, each xlsx sheet's declared area (rows, columns) by name, its parts' size, and
    whether a sheet reaches beyond its declared area."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [member for member in archive.infolist() if not member.filename.endswith("/")]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, NotImplementedError, struct.error):
        raise FileRefused(*_DAMAGED) from None
    # Declared sizes come from the central directory, so a bomb is measured without inflating a byte of it;
    # calamine's zip reader refuses a member that inflates past its declared size, so a lie does not get past.
    total = sum(member.file_size for member in members)
    if total > limits.max_uncompressed_bytes:
        raise FileRefused(
            f"This workbook would expand to {_megabytes(total, limits.max_uncompressed_bytes)}, more than the "
            f"{_megabytes(limits.max_uncompressed_bytes)} jointlead accepts (it may be a 'zip bomb').",
            _TOO_BIG_ADVICE,
        )
    for member in members:
        if member.file_size > _RATIO_CHECK_FROM_BYTES and member.file_size > _MAX_COMPRESSION_RATIO * max(
            member.compress_size, 1
        ):
            raise FileRefused(
                f"Part of this workbook would expand more than {_MAX_COMPRESSION_RATIO:,} times, to "
                f"{_megabytes(member.file_size)} (it may be a 'zip bomb').",
                "Do not open it; ask the sender for a fresh copy.",
            )
    names = {member.filename.lower(): member for member in members}
    if "xl/workbook.xml" in names:
        macros = "xl/vbaproject.bin" in names or path.suffix.lower() in {".xlsm", ".xltm"}
        kind = "xlsm" if macros else "xlsx"
    elif "xl/workbook.bin" in names:
        raise FileRefused("This is an Excel binary workbook (.xlsb), a format jointlead cannot read.", _SAVE_AS_XLSX)
    elif "mimetype" in names and _member_head(archive, names["mimetype"], 200).strip() in {
        mimetype.encode() for mimetype in _ODS_MIMETYPES
    }:
        kind = "ods"
    else:
        raise FileRefused(*_NOT_A_SPREADSHEET)
    heads: dict[str, bytes] = {}
    for name, member in names.items():
        if name.endswith((".xml", ".rels")):
            head = _member_head(archive, member)
            if any(marker in head for marker in _DTD_MARKERS):
                raise FileRefused(*_ENTITIES)
            heads[name] = head
    areas, untrusted = (_xlsx_sheet_areas(archive, names, heads, limits.child_from_cells,
                                          scan=total <= limits.child_from_bytes) if kind != "ods" else ({}, False))
    return kind, areas, total, untrusted


def _member_head(archive: zipfile.ZipFile, member: zipfile.ZipInfo, size: int = _XML_HEAD_BYTES) -> bytes:
    try:
        with archive.open(member) as handle:
            return handle.read(size)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError, ValueError):
        raise FileRefused(*_DAMAGED) from None


_DIMENSION = re.compile(
    rb"<(?:\w+:)?dimension\s+ref\s*=\s*[\"'](?:[A-Za-z]{1,3}[0-9]{1,7}:)?([A-Za-z]{1,3})([0-9]{1,7})[\"']"
)
_PARTS_MAX_BYTES = 8 * 1024 * 1024  # workbook.xml and its relationships: a few KB in any real workbook


def _sheet_parts(archive: zipfile.ZipFile, names: dict[str, zipfile.ZipInfo]) -> dict[str, str] | None:
    """Each worksheet's part (lower case, as `names` has it) by sheet name, as workbook.xml and its relationships
    say; None when they are missing, too large or unreadable."""
    workbook, relationships = names.get("xl/workbook.xml"), names.get("xl/_rels/workbook.xml.rels")
    if workbook is None or relationships is None or max(workbook.file_size,
                                                        relationships.file_size) > _PARTS_MAX_BYTES:
        return None
    try:
        sheets = SafeElementTree.fromstring(_member_head(archive, workbook, _PARTS_MAX_BYTES))
        links = SafeElementTree.fromstring(_member_head(archive, relationships, _PARTS_MAX_BYTES))
    except (ElementTree.ParseError, DefusedXmlException):
        return None  # calamine will say what is wrong with them, in the child process
    targets = {link.get("Id"): link.get("Target") or "" for link in links.iter() if link.tag.endswith("Relationship")}
    parts: dict[str, str] = {}
    for sheet in sheets.iter():
        if not sheet.tag.endswith("}sheet"):
            continue
        link = next((value for key, value in sheet.attrib.items() if key.endswith("}id")), None)
        target = targets.get(link, "")
        part = posixpath.normpath(target[1:] if target.startswith("/") else posixpath.join("xl", target)).lower()
        name = sheet.get("name")
        if name and part in names:
            parts[name] = part
    return parts


def _xlsx_sheet_areas(
    archive: zipfile.ZipFile, names: dict[str, zipfile.ZipInfo], heads: dict[str, bytes], child_from_cells: int,
    scan: bool,
) -> tuple[dict[str, tuple[int, int, int]], bool]:
    """Each sheet's used area as its <dimension> declares it, by sheet name, and whether any sheet reaches beyond
    what it declares (then only a child process may parse the workbook). With `scan` false, the workbook goes to
    the child process whatever its sheets hold, and they are not searched for far cells.

    calamine allocates every cell of a sheet's used rectangle before it returns, and a failed allocation aborts the
    process. Excel keeps <dimension> true, so a stray value far away (typed in XFD1048576, say) is caught here from a
    few bytes, before parsing. A crafted file can make <dimension> lie; that is the one case this does not stop.
    """
    parts = _sheet_parts(archive, names)
    if parts is None:
        return {}, True  # no telling where the sheets are: let the child process find out
    areas: dict[str, tuple[int, int, int]] = {}  # rows, columns, and the bytes of the sheet's XML
    untrusted = False
    for name, part in parts.items():
        found = _DIMENSION.search(heads.get(part, b""))
        rows, column = (int(found[2]), _column_number(found[1])) if found else (0, 0)
        # A sheet declared large, or a workbook large enough, is parsed in the child process anyway: no need to
        # look further into it.
        if scan and rows * column <= child_from_cells and _reaches_beyond(archive, names[part], rows, column):
            # The sheet names a cell beyond the area it declares (or declares none): a crafted file, whose true
            # area is unknown until parsed. The workbook is then parsed in a child process, where a failed
            # allocation refuses the file instead of ending jointlead.
            untrusted = True
        elif found:
            areas[name] = (rows, column, names[part].file_size)
    return areas, untrusted


# A sheet with no <dimension> is trusted up to this many row digits and column letters (99,999 rows by 26 columns).
_UNDECLARED_DIGITS, _UNDECLARED_LETTERS = 5, 1


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - 64  # bytes iterate as code points: A is 65
    return number


def _reaches_beyond(archive: zipfile.ZipFile, member: zipfile.ZipInfo, rows: int, columns: int) -> bool:
    """Whether the sheet's XML names a row or column with more digits or letters than its declared area has.

    calamine sizes a sheet by the furthest cell it holds, whatever <dimension> says, and aborts the process if it
    cannot allocate that. A reference with more letters or digits than the declared corner (XFD1048576 under a
    declared A1) is a far cell. Looked for as plain bytes, in chunks: 30 ms for a 35 MB sheet.
    """
    letters = len(column_letters(columns - 1)) if columns else _UNDECLARED_LETTERS
    digits = len(str(rows)) if rows else _UNDECLARED_DIGITS
    branches = []
    if letters < 3:
        branches.append(rb"[A-Z]{%d,3}[0-9]" % (letters + 1))
    if digits < 7:
        branches.append(rb"[A-Z]{0,3}[0-9]{%d,7}\"" % (digits + 1))
    if not branches:
        return False
    # r="...": a cell's or a row's reference, whatever spacing precedes it (other attributes ending in r only
    # send a file to the child process, never the other way).
    far = re.compile(rb'r="(?:' + rb"|".join(branches) + rb")")
    tail = b""
    try:
        with archive.open(member) as handle:
            while chunk := handle.read(1 << 20):
                if far.search(tail + chunk):
                    return True
                tail = chunk[-16:]
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError, ValueError):
        raise FileRefused(*_DAMAGED) from None
    return False


# A merged area as the sheet's XML lists it, after its cells: <mergeCell ref="E10:E12"/>.
_MERGE_CELL = re.compile(rb"<(?:\w+:)?mergeCell\s[^>]*?\bref\s*=\s*[\"']([A-Za-z]{1,3})([0-9]{1,7})"
                         rb"(?::([A-Za-z]{1,3})([0-9]{1,7}))?[\"']")


@dataclass(frozen=True)
class MergedArea:
    """Cells merged into one: rows 1-based as shown, columns 0-based, each pair inclusive."""

    first_row: int
    first_column: int
    last_row: int
    last_column: int

    @property
    def reference(self) -> str:
        """`E10:E12`, as Excel names it."""
        return (f"{column_letters(self.first_column)}{self.first_row}:"
                f"{column_letters(self.last_column)}{self.last_row}")


def merged_areas(data: bytes, sheet: str) -> tuple[MergedArea, ...]:
    """The merged areas of one sheet of an .xlsx workbook (none for a sheet it cannot find).

    calamine hands over only the first cell of a merged area, and openpyxl's read-only mode does not load merges,
    so they are looked for in the sheet's XML as plain bytes, in chunks. Only an import that asks pays for it (the
    action tracker, where a value merged down several rows would count for the first row alone); a ledger does not.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = {member.filename.lower(): member for member in archive.infolist()}
        part = (_sheet_parts(archive, names) or {}).get(sheet)
        if part is None:
            return ()
        found: list[MergedArea] = []
        pending = b""
        with archive.open(names[part]) as handle:
            while True:
                chunk = handle.read(1 << 20)
                text = pending + chunk
                # Every tag that starts before the last "<" ends before it (no tag holds a "<"): the rest waits.
                cut = max(text.rfind(b"<"), 0) if chunk else len(text)
                for match in _MERGE_CELL.finditer(text, 0, cut):
                    first_letters, first_digits, last_letters, last_digits = match.groups()
                    first_row, last_row = int(first_digits), int(last_digits or first_digits)
                    first_column = _column_number(first_letters) - 1
                    last_column = _column_number(last_letters or first_letters) - 1
                    found.append(MergedArea(min(first_row, last_row), min(first_column, last_column),
                                            max(first_row, last_row), max(first_column, last_column)))
                pending = text[cut:]
                if not chunk:
                    return tuple(found)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, RuntimeError,
            NotImplementedError, ValueError, struct.error):
        raise FileRefused(*_DAMAGED) from None


def _check_sparse(name: str, rows: int, columns: int, xml_bytes: int) -> None:
    """Refuse a sheet whose area is mostly empty: a stray value far from the table (typed in AD1000000, say) makes
    calamine allocate the whole rectangle, about 32 bytes a cell, however little the sheet holds. Any real cell
    takes a dozen bytes of XML, so a sheet with fewer bytes than cells is nearly all empty."""
    area = rows * columns
    if area > _SPARSE_FROM_CELLS and xml_bytes < area:
        corner = f"{column_letters(columns - 1)}{rows}"
        raise FileRefused(
            f"The sheet {cell_reference(name)} has something in cell {corner}, far beyond its table: reading it "
            f"would mean {area:,} mostly empty cells.",
            "In Excel, press Ctrl+End on that sheet to find it, delete the rows and columns between it and the "
            "table, save, and import again.",
        )


_SPARSE_FROM_CELLS = 1_000_000


_END_OF_CHAIN = 0xFFFFFFFA  # sector numbers from here up are markers (end of chain, free, FAT, DIFAT), not sectors
_MINI_STREAM_CUTOFF = 4096  # streams smaller than this live in 64-byte sectors of the "mini stream"
_FILEPASS, _BOUNDSHEET, _EOF, _DIMENSIONS, _MULRK = 0x002F, 0x0085, 0x000A, 0x0200, 0x00BD
# The BIFF records calamine turns into cells: NUMBER, LABEL, BOOLERR, RK, LABELSST, FORMULA and MULRK.
_BIFF_CELLS = frozenset({0x0203, 0x0204, 0x0205, 0x027E, 0x00FD, 0x0006, _MULRK})


def _sniff_compound_file(data: bytes, limits: ReadLimits) -> str:
    """An OLE2 compound file is an encrypted OOXML package (a password), a legacy .xls, or not a spreadsheet."""
    compound = _CompoundFile(data)
    if {"EncryptionInfo", "EncryptedPackage"} & compound.streams.keys():
        raise FileRefused(*_PASSWORD)
    for name in ("Workbook", "Book"):
        if name in compound.streams:
            stream = compound.stream(name)
            # calamine does report an .xls password, but only when it picks the format by extension; from bytes it
            # tries every format and says only "Cannot detect file format". So look for FILEPASS ourselves.
            if _biff_has_password(stream):
                raise FileRefused(*_PASSWORD)
            # calamine parses every sheet of an .xls as it opens it, so the areas are checked now, for all sheets.
            _check_biff_areas(stream, limits)
            return "xls"
    raise FileRefused(*_NOT_A_SPREADSHEET)


class _CompoundFile:
    """Just enough of [MS-CFB] to list and read streams: header, FAT (through the DIFAT), directory, mini stream.

    Every chain is bounded by the size of its table, so a crafted loop cannot hang the reader.
    """

    def __init__(self, data: bytes) -> None:
        self._data = data
        self.streams: dict[str, tuple[int, int, int]] = {}  # name -> (first sector, size in bytes)
        try:
            self._read_directory()
        except struct.error:
            raise FileRefused(*_DAMAGED) from None

    def stream(self, name: str) -> bytes:
        start, size = self.streams[name]
        try:
            if size >= _MINI_STREAM_CUTOFF:
                return self._follow(start, self._fat, self._sector, size)
            mini_fat_bytes = self._follow(
                self._mini_fat_start, self._fat, self._sector, self._mini_fat_count * self._size
            )
            mini_fat = list(
                struct.unpack(f"<{len(mini_fat_bytes) // 4}I", mini_fat_bytes[: len(mini_fat_bytes) // 4 * 4])
            )
            mini_stream = self._follow(self._root[0], self._fat, self._sector, self._root[1])

            def mini_sector(number: int) -> bytes:
                if (number + 1) * 64 > len(mini_stream):
                    raise FileRefused(*_DAMAGED)
                return mini_stream[number * 64 : (number + 1) * 64]

            return self._follow(start, mini_fat, mini_sector, size)
        except struct.error:
            raise FileRefused(*_DAMAGED) from None

    def _sector(self, number: int) -> bytes:
        offset = (number + 1) * self._size
        if number >= _END_OF_CHAIN or offset >= len(self._data):
            raise FileRefused(*_DAMAGED)
        return self._data[offset : offset + self._size].ljust(self._size, b"\0")

    @staticmethod
    def _follow(number: int, table: list[int], read: Callable[[int], bytes], size: int) -> bytes:
        parts: list[bytes] = []
        total = 0
        for _step in range(len(table) + 1):
            if number >= _END_OF_CHAIN or total >= size:
                return b"".join(parts)[:size]
            parts.append(read(number))
            total += len(parts[-1])
            if number >= len(table):
                raise FileRefused(*_DAMAGED)
            number = table[number]
        raise FileRefused(*_DAMAGED)  # a chain longer than its table: a loop

    def _read_directory(self) -> None:
        data = self._data
        if len(data) < 512:
            raise FileRefused(*_DAMAGED)
        sector_shift, fat_count, first_directory = struct.unpack_from("<H12xII", data, 30)
        self._mini_fat_start, self._mini_fat_count, first_difat, difat_count = struct.unpack_from("<IIII", data, 60)
        if sector_shift not in (9, 12):
            raise FileRefused(*_DAMAGED)
        self._size = size = 1 << sector_shift
        budget = len(data) // size + 1

        fat_sectors = list(struct.unpack_from("<109I", data, 76))
        number = first_difat
        for _step in range(min(difat_count, budget)):
            if number >= _END_OF_CHAIN:
                break
            entries = struct.unpack(f"<{size // 4}I", self._sector(number))
            fat_sectors.extend(entries[:-1])
            number = entries[-1]
        self._fat: list[int] = []
        for fat_sector in [number for number in fat_sectors if number < _END_OF_CHAIN][:fat_count]:
            self._fat.extend(struct.unpack(f"<{size // 4}I", self._sector(fat_sector)))

        self._root = (_END_OF_CHAIN, 0)
        directory = self._follow(first_directory, self._fat, self._sector, budget * size)
        for offset in range(0, len(directory) - 127, 128):
            length, kind = struct.unpack_from("<HB", directory, offset + 64)
            start, stream_size = struct.unpack_from("<II", directory, offset + 116)
            if kind == 5:
                self._root = (start, stream_size)
            elif kind in (1, 2) and 2 <= length <= 64:
                name = directory[offset : offset + length - 2].decode("utf-16-le", errors="replace")
                self.streams[name] = (start, stream_size)


def _biff_has_password(stream: bytes) -> bool:
    """Whether a BIFF workbook stream carries FILEPASS, which comes straight after the first BOF if at all."""
    offset = 0
    while offset + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, offset)
        if kind == _FILEPASS:
            return True
        if kind in (_BOUNDSHEET, _EOF):
            return False
        offset += 4 + length
    return False


def _check_biff_areas(stream: bytes, limits: ReadLimits) -> None:
    """Refuse a sheet whose cells or DIMENSIONS record would make calamine allocate an area too big to hold.

    calamine allocates every cell of a sheet's used rectangle, and reserves what DIMENSIONS declares, before
    returning; an allocation that fails aborts the whole process rather than raising. A few bytes can ask for that.
    Every record is visited (about 0.4 µs each), because a stray one can sit anywhere in a sheet.
    """
    sheets: list[tuple[int, str]] = []
    offset = 0
    while offset + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, offset)
        if kind == _BOUNDSHEET and length >= 8:
            position, count, flags = struct.unpack_from("<I2xBB", stream, offset + 4)
            raw = stream[offset + 12 : offset + 4 + length]  # the name, for messages: UTF-16 when flag 1 is set
            name = (
                raw[: count * 2].decode("utf-16-le", "replace")
                if flags & 1
                else raw[:count].decode("cp1252", "replace")
            )
            sheets.append((position, name))
        elif kind == _EOF:
            break
        offset += 4 + length
    header = struct.Struct("<HHHH").unpack_from  # type, length, and a cell record's row and column
    last = len(stream) - 8
    for position, name in sheets:
        rows = columns = 0
        offset = position
        while 0 <= offset <= last:
            kind, length, row, column = header(stream, offset)
            if kind in _BIFF_CELLS:
                if kind == _MULRK and length >= 6 and offset + 4 + length <= len(stream):
                    column = struct.unpack_from("<H", stream, offset + 2 + length)[0]  # the last column it fills
                if row >= rows:
                    rows = row + 1
                if column >= columns:
                    columns = column + 1
            elif kind == _DIMENSIONS and length in (10, 14) and offset + 4 + length <= len(stream):
                bounds = struct.unpack_from("<IIHH" if length == 14 else "<HHHH", stream, offset + 4)
                _check_area(name, *_declared_area(*bounds), limits)
            elif kind == _EOF:
                break
            offset += 4 + length
        _check_area(name, rows, columns, limits)


def _declared_area(first_row: int, last_row: int, first_column: int, last_column: int) -> tuple[int, int]:
    """The area a DIMENSIONS record makes calamine reserve, wrapping as its unsigned arithmetic does."""
    if not (last_row and last_column):
        return 1, 1
    return ((last_row - 1 - first_row) & 0xFFFFFFFF) + 1, ((last_column - 1 - first_column) & 0xFFFFFFFF) + 1


def _check_area(sheet: str, rows: int, columns: int, limits: ReadLimits) -> None:
    if rows * columns > limits.max_cells:
        raise FileRefused(
            f"The sheet {cell_reference(sheet)} stretches to cell {column_letters(columns - 1)}{rows}, "
            f"{rows:,} rows by {columns:,} columns: more than jointlead can hold in memory.",
            "Something far below or to the right of the data makes it that big. In Excel, press Ctrl+End to find "
            "it, delete those rows and columns, save, and import again.",
        )


@dataclass(frozen=True)
class _TextFormat:
    encoding: str
    delimiter: str
    skip_lines: int  # an Excel "sep=;" first line is an instruction, not a row


def _sniff_text(path: Path, data: bytes) -> _TextFormat:
    head = _text_head(data)
    _refuse_markup(path, head)
    if data.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"  # Excel's "Unicode text": tab-separated UTF-16
    elif b"\0" in data[:_SNIFF_BYTES]:
        raise FileRefused(*_NOT_A_SPREADSHEET)
    elif _decodes(data, "utf-8"):
        encoding = "utf-8"
    else:
        encoding = "cp1252"  # what Excel's plain "CSV" is on a UK Windows PC
    if encoding != "utf-8" and not _decodes(data, encoding):
        raise FileRefused(*_NOT_A_SPREADSHEET)
    sample = data[:_SNIFF_BYTES].decode(encoding, errors="ignore")
    controls = sum(1 for character in sample if character < " " and character not in "\t\n\r\f\v\x1a")
    if "\0" in sample or controls > len(sample) // 100:
        raise FileRefused(*_NOT_A_SPREADSHEET)

    first_line = sample.split("\n", 1)[0].rstrip("\r")
    separator = re.fullmatch(r'"?sep=(.)"?', first_line)
    if separator:
        return _TextFormat(encoding, separator.group(1), 1)
    if len(data) > _SNIFF_BYTES and "\n" in sample:
        sample = sample[: sample.rindex("\n") + 1]  # whole lines only, or the sniffer sees a ragged last row
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    return _TextFormat(encoding, delimiter, 0)


def _text_head(data: bytes) -> str:
    raw = data[:4096]
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if raw.startswith(bom):
            return raw[len(bom) :].decode(encoding, errors="ignore").lstrip().lower()
    return raw.decode("latin-1").lstrip().lower()


_HTML_STARTS = ("<html", "<!doctype html", "<table", "<head", "<body", "<meta", "<style", "<title", "mime-version:")


def _refuse_markup(path: Path, head: str) -> None:
    suffix = path.suffix.lower()
    if head.startswith(_HTML_STARTS) or (head.startswith(("<?xml", "<!--")) and "<html" in head):
        if suffix in {"", ".htm", ".html", ".mht", ".mhtml"}:
            raise FileRefused("This file is a web page (HTML), not a spreadsheet.", _SAVE_AS_XLSX)
        raise FileRefused(
            f"This file is a web page (HTML) saved with {_article(suffix)} {suffix} name, "
            "as some finance systems export.",
            _SAVE_AS_XLSX,
        )
    if head.startswith(("<?xml", "<!")):
        if "urn:schemas-microsoft-com:office:spreadsheet" in head:
            raise FileRefused(
                "This file is an Excel 2003 XML spreadsheet, a format jointlead cannot read.", _SAVE_AS_XLSX
            )
        raise FileRefused(*_NOT_A_SPREADSHEET)


def _decodes(data: bytes, encoding: str) -> bool:
    # Checked in pieces, so a large CSV is validated without a second copy of it as text.
    decoder = codecs.getincrementaldecoder(encoding)()
    step = 1 << 20
    try:
        for start in range(0, len(data), step):
            decoder.decode(data[start : start + step])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _name_notice(path: Path, kind: str) -> str | None:
    suffix = path.suffix.lower()
    if not suffix or suffix in _QUIET_SUFFIXES[kind]:
        return None
    description, read_as = _DESCRIPTIONS[kind]
    return f"This is {description} saved with {_article(suffix)} {suffix} name; it was read as {read_as}."


def _article(suffix: str) -> str:
    # Extensions are said letter by letter: "an .xls", "an .ods", "a .csv", "a .txt".
    return "an" if suffix[1:2] in set("aefhilmnorsx") else "a"


def _megabytes(size: int, limit: int | None = None) -> str:
    """Whole megabytes (tenths below 10 MB), with a tenth more if rounding would make a size over the limit equal it."""
    places = 1 if size < 10 * 1024 * 1024 else 0
    text = f"{size / (1024 * 1024):,.{places}f}"
    if limit is not None and size > limit and text == _megabytes(limit).removesuffix(" MB"):
        text = f"{math.floor(size / (1024 * 1024) * 10 + 1) / 10:,.1f}"
    return f"{text} MB"


# --- workbooks, through python-calamine ---------------------------------------------------------------------------


def _open_workbook(
    reader: _Reader | None,
    data: bytes,
    kind: str,
    limits: ReadLimits,
    notices: list[str],
    areas: dict[str, tuple[int, int, int]],
) -> tuple[SourceSheet, ...]:
    if reader is not None:
        try:
            source: _WorkbookSource | _ChildWorkbookSource = _ChildWorkbookSource(reader, data, kind, limits, areas)
        except BaseException:
            reader.stop()
            raise
    else:
        source = _WorkbookSource(_open_calamine(data, kind), kind, limits, areas)
    worksheets = source.worksheets()
    visible = [name for name, shown in worksheets if shown]
    hidden = [name for name, shown in worksheets if not shown]
    if not visible:
        source.close()
        raise FileRefused(
            "This workbook has no visible sheets to read.",
            "Open it in Excel, unhide the sheet that holds the data (right-click a sheet tab, then Unhide), "
            "save it, and import it again.",
        )
    if hidden:
        quoted = ", ".join(f'"{name}"' for name in hidden)
        notices.append(
            f"The hidden sheet {quoted} was not read."
            if len(hidden) == 1
            else f"The hidden sheets {quoted} were not read."
        )
    return tuple(SourceSheet(name, source) for name in visible)


def _open_calamine(data: bytes, kind: str) -> python_calamine.CalamineWorkbook:
    # From the bytes, not the path: calamine's from_path picks the format by extension, and the extension may lie.
    return _calamine(lambda: python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data)), kind)


class _WorkbookSource:
    """Rows of one open workbook's sheets; the last sheet parsed is kept, so head() then rows() parses it once.

    Given a _Slicer (in the reading process), `workbook` need only list the sheets (the slicer's skeleton): a large
    .xlsx worksheet is parsed a slice at a time, and the whole workbook is opened from the slicer's bytes only to
    parse a sheet whole, and let go while slices are read. Only the slice being read is then ever held.
    """

    def __init__(
        self,
        workbook: python_calamine.CalamineWorkbook,
        kind: str,
        limits: ReadLimits,
        areas: dict[str, tuple[int, int, int]],
        slicer: _Slicer | None = None,
    ) -> None:
        self._workbook = workbook if slicer is None else None
        self._kind = kind
        self._limits = limits
        self._areas = areas
        self._slicer = slicer
        # calamine's workbook is mutably borrowed while it parses; a second thread would get a borrow error.
        self._lock = threading.Lock()
        self._parsed: tuple[str, python_calamine.CalamineSheet] | None = None
        self._worksheets = [(sheet.name, sheet.visible == python_calamine.SheetVisibleEnum.Visible)
                            for sheet in workbook.sheets_metadata
                            if sheet.typ == python_calamine.SheetTypeEnum.WorkSheet]

    def worksheets(self) -> list[tuple[str, bool]]:
        """Each worksheet's name, and whether it is visible, in workbook order."""
        return self._worksheets

    def close(self) -> None:
        self._parsed = None

    def _sheet(self, name: str) -> python_calamine.CalamineSheet:
        with self._lock:
            if self._parsed is not None and self._parsed[0] == name:
                return self._parsed[1]
            # Only one parsed sheet is ever held: a large sheet's cells take far more memory than the file does.
            self._parsed = None
            self._check_declared(name)
            if self._workbook is None:
                assert self._slicer is not None
                self._workbook = _open_calamine(self._slicer.data, self._kind)
            workbook = self._workbook
            sheet = _calamine(lambda: workbook.get_sheet_by_name(name), self._kind)
            self._parsed = (name, sheet)
            return sheet

    def _check_declared(self, name: str) -> None:
        if name in self._areas:
            rows, columns, xml_bytes = self._areas[name]
            _check_area(name, rows, columns, self._limits)
            _check_sparse(name, rows, columns, xml_bytes)
            if rows > self._limits.max_rows:  # before calamine holds every row (200 MB for 1,048,576 by 6)
                raise _too_many_rows(name, rows, self._limits)

    def rows(self, name: str) -> Iterator[list[object]]:
        slices = self._slicer.slices(name) if self._slicer is not None else None
        if slices is None:
            yield from self._whole(name, 0)
            return
        self._check_declared(name)
        with self._lock:
            self._parsed = None
            if self._workbook is not None:
                self._workbook.close()
                self._workbook = None
        yield from self._sliced(name, slices)

    def _whole(self, name: str, start: int) -> Iterator[list[object]]:
        """The sheet's rows, parsed whole, from the one after the first `start`."""
        sheet = self._sheet(name)
        end = sheet.end
        if end is None:  # an empty sheet has no range at all
            return
        height = end[0] + 1
        if height > self._limits.max_rows:
            raise _too_many_rows(name, height, self._limits)
        # calamine yields rows from row 1, padding above the first used row, but starts each row at the first used
        # column: put the columns to its left back, so that index i is column i and references stay true.
        yield from self._tidied(name, itertools.islice(sheet.iter_rows(), start, None), start,
                                [None] * sheet.start[1])

    def _sliced(self, name: str, slices: Iterator[io.BytesIO]) -> Iterator[list[object]]:
        done = 0  # rows yielded
        try:
            for book in slices:
                sheet, rows = self._slice(name, book)
                del book  # the slice's bytes: only its rows are needed now
                end = sheet.end
                if end is None:
                    continue
                if end[0] >= self._limits.max_rows:
                    raise _too_many_rows(name, self._height(name, slices, end[0] + 1), self._limits)
                first, column = sheet.start
                del sheet  # calamine's cells
                width = column + len(rows[0]) if rows else column
                for _blank in range(done, first):  # rows with nothing in them, between the slices' cells
                    yield [None] * width
                yield from self._tidied(name, rows, first, [None] * column)
                done = first + len(rows)
        except _Uncuttable:
            # Something in the sheet's XML is not as Excel and every library write it: parse it whole, as calamine
            # would have, and go on from the row reached.
            self._slicer.forget_strings()
            yield from self._whole(name, done)

    def _slice(self, name: str, book: io.BytesIO) -> tuple[python_calamine.CalamineSheet, list[list[object]]]:
        """The sheet of a slice's workbook, and its rows from the first used cell."""
        try:
            sheet = _calamine(lambda: python_calamine.CalamineWorkbook.from_filelike(book).get_sheet_by_name(name),
                              self._kind)
            return sheet, _calamine(lambda: sheet.to_python(skip_empty_area=True), self._kind)
        except FileRefused:
            raise _Uncuttable from None  # parsed whole, the sheet will say what is wrong with it, if anything

    def _height(self, name: str, slices: Iterator[io.BytesIO], height: int) -> int:
        """The sheet's true height, for the message refusing it, from the slices left."""
        for book in slices:
            end = self._slice(name, book)[0].end
            if end is not None:
                height = end[0] + 1
        return height

    def _tidied(self, name: str, raw: Iterable[list[object]], number: int,
                padding: list[None]) -> Iterator[list[object]]:
        """calamine's rows as rows() yields them, after the first `number` of the sheet: None for an empty cell,
        the columns left of the first used one put back, and each cell checked for length."""
        limit = self._limits.max_cell_chars
        try:
            for cells in raw:
                number += 1
                row = [None if value == "" else value for value in cells] if "" in cells else cells
                if padding:
                    row = padding + row
                for value in row:
                    if value.__class__ is str and len(value) > limit:
                        raise _cell_too_long(name, number, row.index(value), len(value), limit)
                yield row
        except (FileRefused, GeneratorExit, KeyboardInterrupt, SystemExit, MemoryError):
            raise
        except BaseException as error:  # calamine's Rust panics arrive as a BaseException
            raise FileRefused(
                f"Row {cell_reference(name, number + 1)} could not be read ({_detail(error)}).",
                "Open the file in Excel, save a new copy, and import that.",
            ) from error


class _Uncuttable(Exception):
    """A worksheet's XML that _Slicer will not cut: the rows it has not reached are parsed whole instead."""


class _Slicer:
    """Cuts large .xlsx worksheets into workbooks of whole rows, for calamine to parse a slice at a time.

    calamine parses a whole sheet before handing over any row, and holds it. So each slice of about `slice_bytes`
    of the worksheet's XML, cut where a row ends, becomes a workbook of its own: the worksheet's opening (without
    its <dimension>), that slice's rows, and every other part of the file as it is (styles, shared strings,
    relationships), so each cell reads exactly as it would in the whole sheet. Cell references say where each row
    and cell is, so the rows land where they were.
    """

    def __init__(self, data: bytes, slice_bytes: int) -> None:
        self.data = data
        self._archive = zipfile.ZipFile(io.BytesIO(data))
        self._members = {member.filename.lower(): member for member in self._archive.infolist()
                         if not member.filename.endswith("/")}
        self._parts = _sheet_parts(self._archive, self._members) or {}
        self._slice_bytes = slice_bytes
        self._strings: tuple[bytes, _SharedStrings | None] | None = None  # the shared strings, and their prefix

    @property
    def worthwhile(self) -> bool:
        """Whether any worksheet is large enough to be read in slices."""
        return any(self._members[part].file_size > self._slice_bytes for part in self._parts.values())

    def skeleton(self) -> io.BytesIO:
        """The workbook without its worksheets or shared strings: enough for calamine to list the sheets, at a
        fraction of the cost (calamine parses every shared string as it opens a workbook)."""
        return self._book(self._others(strings=False), None, ())

    def slices(self, name: str) -> Iterator[io.BytesIO] | None:
        """Workbooks of the sheet's rows, a slice each; None for a sheet small enough to parse whole."""
        member = self._members.get(self._parts.get(name, ""))
        if member is None or member.file_size <= self._slice_bytes:
            return None
        return self._workbooks(member)

    def forget_strings(self) -> None:
        """Let go of the shared strings kept for the next read (`_shared_strings`): a sheet parsed whole has no use
        for them."""
        self._strings = None

    def _others(self, *, strings: bool = True) -> list[tuple[str, bytes]]:
        """Every part but the worksheets, and anything calamine does not read (pictures, macros); the shared strings
        as an empty table unless `strings`."""
        worksheets = set(self._parts.values())
        return [(member.filename, self._archive.read(member) if strings or not _holds_shared_strings(member.filename)
                 else _NO_SHARED_STRINGS) for member in self._members.values()
                if member.filename.lower().endswith((".xml", ".rels")) and member.filename.lower() not in worksheets]

    def _workbooks(self, sheet: zipfile.ZipInfo) -> Iterator[io.BytesIO]:
        # Shared strings larger than a slice (Excel keeps every text of a workbook there: a 500,000-row ledger's
        # journal references alone are 25 MB) are written into each slice's cells instead: parsed in every slice,
        # calamine held them all again for each (150 MB for that ledger), and the slices had to grow as large to
        # keep parsing them to a fraction of the work. They are written in the namespace prefix of the sheet's
        # elements, as its opening says (or, if that is longer than its head, as the first slice says).
        table = next((member for member in self._members.values() if _holds_shared_strings(member.filename)), None)
        strings = None
        if table is not None and table.file_size > self._slice_bytes:
            strings = self._shared_strings(table, _sheet_prefix(_member_head(self._archive, sheet)))
        others = self._others(strings=strings is None)
        # Every slice parses the other parts again: slices at least as large keep that to a fraction of the work.
        size = max(self._slice_bytes, sum(len(content) for _name, content in others))
        for head, body, tail in _worksheet_slices(self._archive, sheet, size):
            if strings is not None:
                prefix = _sheet_prefix(head)
                if prefix != strings.prefix:
                    strings = self._shared_strings(table, prefix)
                    if strings is None:  # never, as the checks come before the prefix is changed
                        raise _Uncuttable
                body = _with_strings_inline(body, strings, prefix)
            yield self._book(others, sheet.filename, (head, body, tail))

    def _shared_strings(self, table: zipfile.ZipInfo, prefix: bytes) -> _SharedStrings | None:
        """`_shared_strings` of the workbook's table, kept for the next read in the same prefix: an import reads its
        sheet's first rows, then reads it again from the top, and working them out again took a second."""
        if self._strings is None or self._strings[0] != prefix:
            self._strings = None  # the last ones let go of first, not held beside these
            self._strings = (prefix, _shared_strings(self._archive.read(table), prefix))
        return self._strings[1]

    @staticmethod
    def _book(others: list[tuple[str, bytes]], sheet: str | None, pieces: Iterable[bytes | memoryview]) -> io.BytesIO:
        book = io.BytesIO()
        with zipfile.ZipFile(book, "w") as out:  # stored, not compressed: each is read once, here
            for filename, content in others:
                out.writestr(filename, content)
            if sheet is not None:
                with out.open(sheet, "w") as part:
                    for piece in pieces:
                        part.write(piece)
        book.seek(0)
        return book


_INFLATE_BYTES = 1024 * 1024  # of a worksheet's XML inflated at a time, as slices are cut
_NAME = rb"(?:[A-Za-z_][\w.-]*:)?"  # an element's name may carry a namespace prefix (x:row)
_SHEET_DATA = re.compile(rb"<(" + _NAME + rb")sheetData\b[^>]*?(/?)>")
_ROOT = re.compile(rb"<(" + _NAME + rb"worksheet)\b")
_DIMENSION_ELEMENT = re.compile(rb"<" + _NAME + rb"dimension\b[^>]*/>")


_NO_SHARED_STRINGS = (b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="0" '
                      b'uniqueCount="0"/>')
_SST = re.compile(rb"<(" + _NAME + rb")sst\b")
_PROLOG = re.compile(rb"(?:\xef\xbb\xbf)?\s*+(?:<\?xml\s[^<>]*\?>\s*+)?")  # an XML declaration, nothing else


def _holds_shared_strings(part: str) -> bool:
    """Whether a part is the shared strings calamine reads: that one part, wherever the relationships point."""
    return part == "xl/sharedStrings.xml"


class _SharedStrings:
    """A workbook's shared strings, to be written inline (<is>) into a worksheet whose elements are in the namespace
    `prefix`: the text of all of them in one bytes object and where each ends, not a Python object each (a 500,000-row
    ledger's 834,000 strings take 30 MB so, and took 65 MB as a list)."""

    def __init__(self, prefix: bytes) -> None:
        self.text = bytearray()
        self.bounds = array.array("q", [0])  # where string n starts, and where it ends: bounds[n], bounds[n + 1]
        self.prefix = prefix
        self.opening, self.closing = b"<" + prefix + b"is>", b"</" + prefix + b"is>"

    def extend(self, contents: list[bytes]) -> None:
        """Add strings, each what it holds between its <is> and </is>."""
        self.bounds.extend(itertools.islice(itertools.accumulate(map(len, contents), initial=len(self.text)), 1, None))
        self.text += b"".join(contents)

    def contents(self, numbers: list[int]) -> Iterator[bytes]:
        """What each string numbered holds. Raises IndexError at a number no string has."""
        ends = list(map(self.bounds.__getitem__, map((1).__add__, numbers)))  # first: IndexError past the last
        return map(self.text.__getitem__, map(slice, map(self.bounds.__getitem__, numbers), ends))


def _shared_strings(xml: bytes, prefix: bytes, window: int = _INFLATE_BYTES) -> _SharedStrings | None:
    """The shared strings, to be written inline with their elements in the worksheet's namespace `prefix` as its
    cells' own, taken about `window` bytes of the table at a time; None where that cannot be done safely (a comment,
    CDATA, a namespace declared inside)."""
    root = _SST.search(xml)
    if root is None or not _PROLOG.fullmatch(xml, 0, root.start()):  # a comment there may hold what looks a <si>
        return None
    inside = xml.find(b">", root.end()) + 1  # past the root's own namespace declarations
    own = root[1]
    # Every element in the table's own prefix, or in none when it has none: calamine matches an end tag by its whole
    # name, so a <s:si> closed by </si> runs on into the next string.
    other = rb"(?!" + re.escape(own) + rb")[A-Za-z_]" if own else rb"[A-Za-z_][\w.-]*:"
    if not inside or re.compile(rb"<[!?]|xmlns|</?" + other).search(xml, inside):
        return None
    if own != prefix:
        xml = re.compile(rb"<(/?)" + (re.escape(own) if own else rb"(?=[A-Za-z_])")).sub(rb"<\1" + prefix, xml)
    name = re.escape(prefix)
    # Linear on any input, however hostile: a string's contents stop at the next <si or </si, so an unclosed one
    # fails there rather than scanning on to the end for each. Every <si must then be a whole string, or the
    # numbering would shift: calamine, reading the table itself, says what is wrong with it.
    items = re.compile(rb"<" + name + rb"si(?:\s[^<>]{0,1024})?(?:/>|>((?:[^<]++|<(?!/?" + name
                       + rb"si[\s>/]))*+)</" + name + rb"si\s*>)")
    # A window of whole strings at a time (a list of them all took 65 MB more at once), each cut where a string
    # starts: no string holds the start of another.
    strings, starts, start = _SharedStrings(prefix), re.compile(rb"<" + name + rb"si[\s>/]"), 0
    while start < len(xml):
        cut = starts.search(xml, start + max(window, 1))
        end = cut.start() if cut else len(xml)
        strings.extend(items.findall(xml, start, end))  # b"" for <si/>
        start = end
    if len(strings.bounds) - 1 != sum(1 for _start in starts.finditer(xml)):  # counted, not listed
        return None
    return strings


def _sheet_prefix(head: bytes) -> bytes:
    """The namespace prefix of a slice's worksheet elements ("" or, say, "x:"), from its opening."""
    opening = _SHEET_DATA.search(head)
    return opening[1] if opening else b""


_ATTRIBUTE = rb"""\s+[^\s>=/]+\s*=\s*(?:"[^"]*+"|'[^']*+')"""


@functools.cache
def _shared_string_cells(prefix: bytes) -> re.Pattern[bytes]:
    """A shared-string cell up to the end of its value, in four groups: its opening up to its type, the quote mark
    round the type, its other attributes and the opening's end, and the string's number."""
    name = re.escape(prefix)
    # The number as calamine takes it (digits only: it reads " 3 " as string 0), short enough for int(); one type
    # and one value, the cell's only (calamine takes the last of two).
    other = rb"(?:(?!\s+t\s*=)" + _ATTRIBUTE + rb")*+"
    return re.compile(rb"(<" + name + rb"c" + other + rb")\s+t\s*=\s*([\"'])s\2(" + other + rb"\s*>)\s*+<" + name
                      + rb"v>([0-9]{1,18})</" + name + rb"v\s*+>(?=\s*+</" + name + rb"c\s*>)")


@functools.cache
def _string_cell(prefix: bytes) -> re.Pattern[bytes]:
    """The opening of a shared-string cell (one left after `_shared_string_cells` could not be rewritten)."""
    return re.compile(rb"<" + re.escape(prefix) + rb"""c\s[^<>]*?\bt\s*=\s*(["'])s\1""")


def _with_strings_inline(body: memoryview, strings: _SharedStrings, prefix: bytes) -> bytes:
    """A slice's rows with each shared-string cell's text written inline (`_shared_strings`).

    Done a whole slice at a time in C (split, then each cell's pieces swapped by lookup): a Python call for each
    cell took twice as long. Raises _Uncuttable at a shared-string cell this cannot rewrite (a formula, no value,
    a value no string has): parsed whole, the sheet reads as calamine reads it."""
    pieces = _shared_string_cells(prefix).split(body)
    del pieces[2::5]  # each cell's quote mark: now the opening, the rest of the opening, the number, what follows
    rests = pieces[2::4]  # mostly ">": one bytes object for each different one, not one a cell
    inline = {rest: b' t="inlineStr"' + rest + strings.opening for rest in set(rests)}
    pieces[2::4] = map(inline.__getitem__, rests)
    try:
        pieces[3::4] = strings.contents(list(map(int, pieces[3::4])))
    except IndexError:  # a number no string has
        raise _Uncuttable from None
    pieces[4::4] = map(strings.closing.__add__, pieces[4::4])
    rows = b"".join(pieces)
    if _string_cell(prefix).search(rows):
        raise _Uncuttable
    return rows


def _worksheet_slices(archive: zipfile.ZipFile, member: zipfile.ZipInfo,
                      size: int) -> Iterator[tuple[bytes, memoryview, bytes]]:
    """The worksheet's XML as worksheets of about `size` bytes of whole rows each, read as it inflates: each in three
    pieces (the opening, the rows, the end), written one after another without copying them together.

    Raises _Uncuttable at anything a cut could split wrongly: no <sheetData>, a comment or CDATA section (which may
    hold a row's end tag), or a slice whose first row does not say which row it is.
    """
    try:
        with archive.open(member) as handle:
            pending = b""
            while (opening := _SHEET_DATA.search(pending)) is None:
                block = handle.read(_INFLATE_BYTES)
                if not block or len(pending) > size:
                    raise _Uncuttable
                pending += block
            root = _ROOT.search(pending, 0, opening.start())
            if opening[2] or root is None:  # <sheetData/>: no rows to cut
                raise _Uncuttable
            head = pending[:opening.end()]
            if b"<!" in head[root.start():]:
                raise _Uncuttable
            head = _DIMENSION_ELEMENT.sub(b"", head)  # each slice's area is its own, not the whole sheet's
            prefix = opening[1]
            row_start, row_end = b"<" + prefix + b"row", b"</" + prefix + b"row>"
            data_end = b"</" + prefix + b"sheetData>"
            tail = data_end + b"</" + root[1] + b">"
            first_row = re.compile(rb"\s*(?:" + re.escape(row_start) + rb"\s[^>]*?\br\s*=|$)")
            rows = bytearray(pending[opening.end():])  # grown and cut in place: no copy of it per block
            del pending
            while True:
                cut = end = rows.find(data_end, 0, size)
                if end < 0 and len(rows) >= size:
                    # After the last row to end within the slice's size, or after a row longer than a slice.
                    cut = rows.rfind(row_end, 0, size)
                    if cut < 0:
                        cut = rows.find(row_end, size)
                    if cut >= 0:
                        cut += len(row_end)
                if cut < 0:
                    block = handle.read(_INFLATE_BYTES)
                    if not block:
                        raise _Uncuttable  # no end to the rows: calamine will say what is wrong
                    rows += block
                    del block
                    continue
                if rows.find(b"<!", 0, cut) >= 0 or not first_row.match(rows, 0, cut):
                    raise _Uncuttable
                with memoryview(rows) as view, view[:cut] as body:
                    yield head, body, tail
                if end >= 0:
                    return
                del rows[:cut]
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError, ValueError):
        raise _Uncuttable from None


_CHILD_ROWS = 4096  # rows sent from the reading process at a time
_READER_STOPPED = (
    "This workbook could not be read: reading it stopped before the end (it may be damaged, or made to use up "
    "memory).",
    "Open it in Excel, save a new copy, and import that.",
)


class _ChildWorkbookSource:
    """A workbook parsed by calamine in a process of its own, which sends its rows here a few thousand at a time.

    calamine holds a whole sheet in memory (about 350 MB for 500,000 ledger rows), and a sheet whose cells lie far
    beyond what its <dimension> declares makes it abort the whole process on a failed allocation. Here both stay in
    the child: the app holds only the rows it keeps, and a reader that dies is a file refused, not a crash. The child
    parses a large .xlsx worksheet a slice at a time (_Slicer), so it holds a few MB of cells, not the sheet. While
    the rows of one batch are used here, the child is already preparing the next.
    """

    def __init__(self, reader: _Reader, data: bytes, kind: str, limits: ReadLimits,
                 areas: dict[str, tuple[int, int, int]]) -> None:
        self._reader = reader
        self._lock = threading.Lock()
        self._asked: tuple[str, int] | None = None  # a batch asked for ahead, not yet received
        self._early: dict[tuple[str, int], tuple[Any, ...]] = {}  # a batch received for another reader of rows
        reader.send((data, kind, limits, areas))
        with self._lock:
            self._worksheets: list[tuple[str, bool]] = self._answer(self._receive())

    def worksheets(self) -> list[tuple[str, bool]]:
        return self._worksheets

    def rows(self, name: str) -> Iterator[list[object]]:
        start = 0
        while True:
            with self._lock:  # one conversation at a time, whichever generator is reading
                batch: list[list[object]] = self._answer(self._batch(name, start))
                if len(batch) == _CHILD_ROWS and self._asked is None:
                    self._reader.send((name, start + _CHILD_ROWS, _CHILD_ROWS))
                    self._asked = (name, start + _CHILD_ROWS)
            yield from batch
            if len(batch) < _CHILD_ROWS:
                return
            start += len(batch)

    def close(self) -> None:
        self._reader.stop()

    def _batch(self, name: str, start: int) -> tuple[Any, ...]:
        key = (name, start)
        if key in self._early:
            return self._early.pop(key)
        if self._asked is not None:
            asked, self._asked = self._asked, None
            reply = self._receive()
            if asked == key:
                return reply
            self._early = {asked: reply}  # another generator's: kept until it asks
        self._reader.send((name, start, _CHILD_ROWS))
        return self._receive()

    def _receive(self) -> tuple[Any, ...]:
        return self._reader.receive()

    @staticmethod
    def _answer(reply: tuple[Any, ...]) -> Any:
        if reply[0] == "refused":
            raise FileRefused(reply[1], reply[2])
        return reply[1]


class _Reader:
    """The child process that parses a workbook: started, sent the workbook, asked for rows, stopped."""

    def __init__(self) -> None:
        # spawn, not fork: the same on Windows (and in the frozen app, see freeze_support in __main__) as here.
        context = multiprocessing.get_context("spawn")
        connection, child_end = context.Pipe()
        process = context.Process(target=_serve_workbook, args=(child_end,), name="jointlead-reader", daemon=True)
        process.start()
        child_end.close()
        self._connection = connection
        self._stopped = weakref.finalize(self, _stop_reader, connection, process)

    def send(self, message: object) -> None:
        if not self._stopped.alive:
            raise FileRefused(*_READER_STOPPED)
        try:
            self._connection.send(message)
        except OSError:
            self.stop()
            raise FileRefused(*_READER_STOPPED) from None

    def receive(self) -> tuple[Any, ...]:
        if not self._stopped.alive:
            raise FileRefused(*_READER_STOPPED)
        try:
            return self._connection.recv()
        except (EOFError, OSError):
            self.stop()
            raise FileRefused(*_READER_STOPPED) from None

    def stop(self) -> None:
        self._stopped()


def _stop_reader(connection: multiprocessing.connection.Connection, process: multiprocessing.Process) -> None:
    with contextlib.suppress(OSError):
        connection.send(None)
    connection.close()
    process.join(timeout=2)
    if process.is_alive():
        process.kill()
        process.join()


def _serve_workbook(connection: multiprocessing.connection.Connection) -> None:
    """The reading process: open the workbook it is sent, then answer (sheet, first row, count) with rows until told
    to stop, or until the app closes its end (a batch asked for ahead may then be left unsent)."""
    # What calamine prints as it aborts (a Rust backtrace) is not for the user: the app says what happened.
    with contextlib.suppress(OSError):
        quiet = os.open(os.devnull, os.O_WRONLY)
        os.dup2(quiet, 2)
        os.close(quiet)
    _hand_back_large_blocks()
    with contextlib.suppress(EOFError, OSError):
        _serve(connection)


_M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter
_LARGE_BLOCK = 1024 * 1024


def _hand_back_large_blocks() -> None:
    """On Linux (glibc), give every block of a MB or more back to the system when it is freed, as Windows' heap does.

    glibc does so only for blocks larger than the largest yet freed: once the shared strings' XML (25 MB for a large
    ledger) has been freed, each slice's buffers were kept in its heap, and fragments of it held 30 MB for good."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(ImportError, OSError, AttributeError):  # a Python without ctypes, a libc without it
        import ctypes

        ctypes.CDLL(None).mallopt(_M_MMAP_THRESHOLD, _LARGE_BLOCK)


def _serve(connection: multiprocessing.connection.Connection) -> None:
    try:
        opening = connection.recv()
    except (EOFError, OSError):
        return
    if opening is None:
        return
    data, kind, limits, areas = opening
    try:
        slicer = _Slicer(data, limits.slice_bytes) if kind in ("xlsx", "xlsm") else None
        if slicer is not None and slicer.worthwhile:
            skeleton = slicer.skeleton()
            source = _WorkbookSource(_calamine(lambda: python_calamine.CalamineWorkbook.from_filelike(skeleton), kind),
                                     kind, limits, areas, slicer)
            del skeleton
        else:
            source = _WorkbookSource(_open_calamine(data, kind), kind, limits, areas)
        connection.send(("sheets", source.worksheets()))
    except FileRefused as refused:
        connection.send(("refused", refused.message, refused.advice))
        return
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, NotImplementedError,
            struct.error):
        connection.send(("refused", *_DAMAGED))
        return
    del data, opening
    reading: tuple[str, int, Iterator[list[object]]] | None = None  # the sheet being read, and the next row
    while True:
        try:
            request = connection.recv()
        except (EOFError, OSError):
            return
        if request is None:
            return
        name, start, count = request
        try:
            if reading is None or reading[:2] != (name, start):
                reading = None  # what the read before holds is let go first, not held beside this one's
                rows = source.rows(name)
                for _skipped in itertools.islice(rows, start):
                    pass
                reading = (name, start, rows)
            batch = list(itertools.islice(reading[2], count))
            reading = (name, start + len(batch), reading[2])
            connection.send(("rows", batch))
        except FileRefused as refused:
            reading = None
            connection.send(("refused", refused.message, refused.advice))


def _calamine(action: Callable[[], _T], kind: str) -> _T:
    """Run a calamine call, turning whatever it raises into a FileRefused a manager can act on."""
    try:
        return action()
    except python_calamine.PasswordError:
        raise FileRefused(*_PASSWORD) from None
    except (KeyboardInterrupt, SystemExit, MemoryError):
        raise
    except BaseException as error:  # calamine's Rust panics arrive as a BaseException
        detail = _detail(error)
        if "entity" in detail.lower():
            # calamine ignores a DTD and errors on any entity it does not know: nothing is expanded or fetched.
            raise FileRefused(*_ENTITIES) from error
        if "password" in detail.lower() or "encrypt" in detail.lower():
            raise FileRefused(*_PASSWORD) from error
        noun = "spreadsheet" if kind == "ods" else "workbook"
        raise FileRefused(
            f"This {noun} could not be read: it may be damaged, or saved by a program jointlead does not know "
            f"({detail}).",
            "Open it in Excel, save a new copy, and import that.",
        ) from error


def _detail(error: BaseException) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return text if len(text) <= 160 else text[:157] + "..."


def _too_many_rows(sheet: str, rows: int, limits: ReadLimits) -> FileRefused:
    return FileRefused(
        f"The sheet {cell_reference(sheet)} has {rows:,} rows, more than the {limits.max_rows:,} jointlead reads.",
        _TOO_BIG_ADVICE,
    )


def _cell_too_long(sheet: str, row: int, column: int | None, length: int | None, limit: int) -> FileRefused:
    if column is not None and length is not None:
        message = f"Cell {cell_reference(sheet, row, column)} holds {length:,} characters, more than the {limit:,}"
    else:  # the csv module stopped at the field before we could measure it
        message = f"A cell in row {cell_reference(sheet, row)} holds more than the {limit:,} characters"
    return FileRefused(
        f"{message} a cell may hold.", "Shorten the text in that cell, save the file, and import it again."
    )


def _count(records: Iterator[list[str]]) -> int:
    """How many more records there are, to say how many rows a file has; a damaged tail just stops the count."""
    counted = 0
    try:
        for _record in records:
            counted += 1
    except csv.Error:
        pass
    return counted


# --- text files -----------------------------------------------------------------------------------------------------


class _TextSource:
    """Rows of a CSV (or other delimited text) file, decoded as it is read, from the bytes that were hashed."""

    def __init__(self, data: bytes, text: _TextFormat, limits: ReadLimits) -> None:
        self._data = data
        self._text = text
        self._limits = limits

    def close(self) -> None:
        pass  # nothing is held beyond the bytes

    def rows(self, name: str) -> Iterator[list[object]]:
        stream = io.TextIOWrapper(io.BytesIO(self._data), encoding=self._text.encoding, newline="")
        for _line in range(self._text.skip_lines):
            stream.readline()
        # Only the delimiter is sniffed; quoting is always Excel's, and nothing is stripped (the parsers do that).
        records = csv.reader(stream, delimiter=self._text.delimiter, quotechar='"', doublequote=True, strict=False)
        max_rows, limit = self._limits.max_rows, self._limits.max_cell_chars
        number = 0
        while True:
            try:
                record = next(records)
            except StopIteration:
                return
            except csv.Error as error:
                if "field larger than field limit" in str(error):
                    raise _cell_too_long(name, number + 1, None, None, limit) from None
                raise FileRefused(
                    f"Row {cell_reference(name, number + 1)} of this text file could not be read ({error}).",
                    "Open it in Excel, save it again as CSV, and import that.",
                ) from None
            number += 1
            if number > max_rows:
                raise _too_many_rows(name, number + _count(records), self._limits)
            if record and max(map(len, record)) > limit:
                column = next(index for index, field in enumerate(record) if len(field) > limit)
                raise _cell_too_long(name, number, column, len(record[column]), limit)
            yield [field or None for field in record]
