"""Hostile and messy spreadsheet files, written for real into a folder, for every test that reads spreadsheets."""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import struct
import zipfile
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import openpyxl

Rows = Sequence[Sequence[object]]

# What the external-entity file would leak if a reader fetched it; no cell may ever contain it.
SECRET_MARKER = "JOINTLEAD-SECRET-7d1e"

# --- small writers the generators share ---------------------------------------------------------------------------


def write_xlsx(path: Path, sheets: dict[str, Rows]) -> Path:
    """An ordinary workbook as openpyxl writes it: str, numbers, bools, dates and None (empty) cells."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(list(row))
    workbook.save(path)
    return path


def write_csv(path: Path, rows: Rows, *, encoding: str = "utf-8", delimiter: str = ",") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return path


_OOXML_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml"'
    ' ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml"'
    ' ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml"'
    ' ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
_OOXML_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="xl/workbook.xml"'
    ' Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
    "</Relationships>"
)
_OOXML_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    ' xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_OOXML_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="worksheets/sheet1.xml"'
    ' Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>'
    '<Relationship Id="rId2" Target="sharedStrings.xml"'
    ' Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/>'
    "</Relationships>"
)


def _sheet_xml(prolog: str = "", cell_a1: str = '<c r="A1" t="s"><v>0</v></c>') -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{prolog}'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        f'<row r="1">{cell_a1}<c r="B1"><v>5</v></c></row>'
        "</sheetData></worksheet>"
    )


def _shared_strings_xml(prolog: str = "", text: str = "Cost Centre") -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{prolog}'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
        f"<si><t>{text}</t></si></sst>"
    )


def hand_made_xlsx(path: Path, sheet_xml: str, shared_strings_xml: str) -> Path:
    """A one-sheet workbook ("Data") whose XML parts are exactly as given, so they can carry what Excel never writes."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _OOXML_CONTENT_TYPES)
        archive.writestr("_rels/.rels", _OOXML_ROOT_RELS)
        archive.writestr("xl/workbook.xml", _OOXML_WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _OOXML_WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        archive.writestr("xl/sharedStrings.xml", shared_strings_xml)
    return path


def write_ods(path: Path, sheets: dict[str, Rows]) -> Path:
    """A minimal OpenDocument spreadsheet, written by hand: LibreOffice is not needed to make one."""
    tables = []
    for name, rows in sheets.items():
        xml_rows = []
        for row in rows:
            cells = "".join(_ods_cell(value) for value in row) or "<table:table-cell/>"
            xml_rows.append(f"<table:table-row>{cells}</table:table-row>")
        tables.append(f"<table:table table:name={quoteattr(name)}>{''.join(xml_rows)}</table:table>")
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f"<office:body><office:spreadsheet>{''.join(tables)}</office:spreadsheet></office:body>"
        "</office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/"'
        ' manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        # The format wants the mimetype first and stored uncompressed, so it can be recognised at a fixed offset.
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
    return path


def _ods_cell(value: object) -> str:
    if value is None:
        return "<table:table-cell/>"
    if isinstance(value, bool):
        attributes = f'office:value-type="boolean" office:boolean-value="{str(value).lower()}"'
    elif isinstance(value, int | float):
        attributes = f'office:value-type="float" office:value="{value}"'
    elif isinstance(value, dt.date):
        attributes = f'office:value-type="date" office:date-value="{value.isoformat()}"'
    else:
        attributes = 'office:value-type="string"'
    return f"<table:table-cell {attributes}><text:p>{escape(str(value))}</text:p></table:table-cell>"


# --- the old binary formats: a compound file (OLE2/CFB) holding a BIFF8 workbook stream ----------------------------

_FREE_SECTOR, _END_OF_CHAIN, _FAT_SECTOR, _NO_STREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
_SECTOR = 512
_MINI_STREAM_CUTOFF = 4096


def compound_file(streams: dict[str, bytes], *, mini: bool = False) -> bytes:
    """A minimal version-3 compound file (512-byte sectors) with the given root-level streams.

    By default streams are padded to 4,096 bytes, as Excel pads its workbook stream, so every one lives in ordinary
    sectors (BIFF readers stop at the EOF record and never read the padding). With mini=True, streams under 4,096
    bytes go in the mini stream instead, in 64-byte sectors, as the format requires of small streams.
    """
    small = {name: data for name, data in streams.items() if mini and len(data) < _MINI_STREAM_CUTOFF}
    mini_stream, mini_fat, placed = b"", [], {}
    for name, data in small.items():
        count = -(-len(data) // 64)
        placed[name] = (len(mini_fat), len(data))
        mini_fat += [*range(len(mini_fat) + 1, len(mini_fat) + count), _END_OF_CHAIN]
        mini_stream += data.ljust(count * 64, b"\0")
    mini_fat_bytes = struct.pack(f"<{len(mini_fat)}I", *mini_fat) if mini_fat else b""

    # Everything that lives in ordinary sectors, in file order after the FAT: directory, mini FAT, mini stream, streams.
    entries = 1 + len(streams)
    directory_size = -(-entries // 4) * _SECTOR
    big = {name: data.ljust(_MINI_STREAM_CUTOFF, b"\0") for name, data in streams.items() if name not in small}
    blobs = [b"\0" * directory_size, mini_fat_bytes, mini_stream, *big.values()]
    counts = [-(-len(blob) // _SECTOR) for blob in blobs]
    fat_sectors = 1
    while fat_sectors * (_SECTOR // 4) < fat_sectors + sum(counts):
        fat_sectors += 1
    if fat_sectors > 109:
        raise ValueError("too much data for a compound file without DIFAT sectors")
    fat, starts = [_FAT_SECTOR] * fat_sectors, []
    for count in counts:
        starts.append(len(fat) if count else _END_OF_CHAIN)
        if count:
            fat += [*range(len(fat) + 1, len(fat) + count), _END_OF_CHAIN]
    fat += [_FREE_SECTOR] * (fat_sectors * (_SECTOR // 4) - len(fat))
    first_directory, first_mini_fat, mini_stream_start = starts[0], starts[1], starts[2]
    for name, start, data in zip(big, starts[3:], big.values(), strict=True):
        placed[name] = (start, len(data))

    # Siblings form a binary search tree ordered by (length, upper-case name); a right-leaning chain is a valid one.
    names = sorted(streams, key=lambda name: (len(name), name.upper()))
    order = {name: index + 1 for index, name in enumerate(streams)}
    root_child = order[names[0]] if names else _NO_STREAM
    directory = [_directory_entry("Root Entry", 5, child=root_child, start=mini_stream_start, size=len(mini_stream))]
    for name in streams:
        position = names.index(name)
        right = order[names[position + 1]] if position + 1 < len(names) else _NO_STREAM
        start, size = placed[name]
        directory.append(_directory_entry(name, 2, right=right, start=start, size=size))
    blobs[0] = b"".join(directory)

    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        bytes.fromhex("D0CF11E0A1B11AE1"),
        b"\0" * 16,
        0x003E,
        0x0003,
        0xFFFE,
        9,  # 512-byte sectors
        6,  # 64-byte mini sectors
        b"\0" * 6,
        0,  # directory sector count: always 0 in version 3
        fat_sectors,
        first_directory,
        0,
        _MINI_STREAM_CUTOFF,
        first_mini_fat,
        counts[1],
        _END_OF_CHAIN,  # no DIFAT sectors
        0,
    )
    header += struct.pack("<109I", *(list(range(fat_sectors)) + [_FREE_SECTOR] * (109 - fat_sectors)))
    body = struct.pack(f"<{len(fat)}I", *fat)
    body += b"".join(blob.ljust(count * _SECTOR, b"\0") for blob, count in zip(blobs, counts, strict=True))
    return header + body


def _directory_entry(
    name: str, kind: int, *, child: int = _NO_STREAM, right: int = _NO_STREAM, start: int = _END_OF_CHAIN, size: int = 0
) -> bytes:
    encoded = (name + "\0").encode("utf-16-le")
    return struct.pack(
        "<64sHBBIII16sIQQIQ",
        encoded,
        len(encoded),
        kind,
        1,  # black
        _NO_STREAM,  # left sibling
        right,
        child,
        b"\0" * 16,
        0,
        0,
        0,
        start,
        size,
    )


def _biff_record(kind: int, data: bytes = b"") -> bytes:
    return struct.pack("<HH", kind, len(data)) + data


def _biff_string(text: str, length_format: str) -> bytes:
    # Always the UTF-16 form (flag 1), so "£" and any other character survive without a code page.
    return struct.pack(length_format, len(text)) + b"\x01" + text.encode("utf-16-le")


_DATE_XF = 1  # the second XF record below: built-in number format 14, a date


def biff8_workbook_stream(
    sheets: dict[str, Rows],
    *,
    encrypted: bool = False,
    stray_cell: tuple[int, int] | None = None,
    declared_area: tuple[int, int] | None = None,
) -> bytes:
    """The "Workbook" stream of an Excel 97-2003 file: just the records a reader needs to find sheets and cells.

    encrypted adds the FILEPASS record (RC4) that an .xls with a password to open carries; nothing is encrypted.
    stray_cell adds a number at that (row, column), 0-based, to every sheet; declared_area adds a DIMENSIONS record
    claiming that many (rows, columns): the two ways an .xls can make a reader allocate far more than it holds.
    """
    bof_globals = _biff_record(0x0809, struct.pack("<HHHHII", 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 6))
    if encrypted:
        bof_globals += _biff_record(0x002F, struct.pack("<HHH", 1, 1, 1) + b"\0" * 48)
    codepage = _biff_record(0x0042, struct.pack("<H", 1200))
    # XF: font, number format, then the rest of the 20-byte record, which readers of values ignore.
    xfs = _biff_record(0x00E0, struct.pack("<HH", 0, 0) + b"\0" * 16)
    xfs += _biff_record(0x00E0, struct.pack("<HH", 0, 14) + b"\0" * 16)
    eof = _biff_record(0x000A)

    substreams = [_biff8_sheet(rows, stray_cell, declared_area) for rows in sheets.values()]
    bound_sheets_size = sum(len(_biff_record(0x0085, b"\0" * 6 + _biff_string(name, "<B"))) for name in sheets)
    offset = len(bof_globals) + len(codepage) + len(xfs) + bound_sheets_size + len(eof)
    bound_sheets = b""
    for name, substream in zip(sheets, substreams, strict=True):
        bound_sheets += _biff_record(0x0085, struct.pack("<IBB", offset, 0, 0) + _biff_string(name, "<B"))
        offset += len(substream)
    return bof_globals + codepage + xfs + bound_sheets + eof + b"".join(substreams)


def _biff8_sheet(rows: Rows, stray_cell: tuple[int, int] | None, declared_area: tuple[int, int] | None) -> bytes:
    records = [_biff_record(0x0809, struct.pack("<HHHHII", 0x0600, 0x0010, 0x0DBB, 0x07CC, 0, 6))]
    if declared_area:
        records.append(_biff_record(0x0200, struct.pack("<IIHHH", 0, declared_area[0], 0, declared_area[1], 0)))
    if stray_cell:
        records.append(_biff_record(0x0203, struct.pack("<HHHd", *stray_cell, 0, 42.0)))
    for row_index, row in enumerate(rows):
        for column, value in enumerate(row):
            position = struct.pack("<HH", row_index, column)
            if value is None:
                continue
            if isinstance(value, bool):
                records.append(_biff_record(0x0205, position + struct.pack("<HBB", 0, int(value), 0)))
            elif isinstance(value, int | float):
                records.append(_biff_record(0x0203, position + struct.pack("<Hd", 0, float(value))))
            elif isinstance(value, dt.datetime):
                serial = (value - dt.datetime(1899, 12, 30)).total_seconds() / 86_400
                records.append(_biff_record(0x0203, position + struct.pack("<Hd", _DATE_XF, serial)))
            elif isinstance(value, dt.date):
                serial = (value - dt.date(1899, 12, 30)).days
                records.append(_biff_record(0x0203, position + struct.pack("<Hd", _DATE_XF, float(serial))))
            else:
                records.append(_biff_record(0x0204, position + struct.pack("<H", 0) + _biff_string(str(value), "<H")))
    records.append(_biff_record(0x000A))
    return b"".join(records)


def write_xls(path: Path, sheets: dict[str, Rows]) -> Path:
    """A real Excel 97-2003 workbook (str, numbers, bools, dates), whatever name it is given.

    Small by design: up to about 7 MB of records (no DIFAT sectors) and text under 4,000 characters a cell (no
    CONTINUE records), which is plenty for tests.
    """
    path.write_bytes(compound_file({"Workbook": biff8_workbook_stream(sheets)}))
    return path


# --- a zip written by hand, for members whose compressed bytes are made rather than computed ---------------------


def _raw_deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


def _hand_made_zip(path: Path, members: list[tuple[str, bytes, int, int]]) -> Path:
    """members: (name, raw deflate bytes, uncompressed size, CRC-32); sizes under 4 GB, so no ZIP64 is needed."""
    body, directory = bytearray(), bytearray()
    for name, compressed, size, crc in members:
        encoded = name.encode()
        offset = len(body)
        fixed = struct.pack("<HHHHHIII", 20, 0, 8, 0, 0x21, crc, len(compressed), size)
        body += struct.pack("<I", 0x04034B50) + fixed + struct.pack("<HH", len(encoded), 0) + encoded + compressed
        directory += struct.pack("<IH", 0x02014B50, 20) + fixed
        directory += struct.pack("<HHHHHI", len(encoded), 0, 0, 0, 0, 0) + struct.pack("<I", offset) + encoded
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(directory), len(body), 0)
    path.write_bytes(bytes(body + directory + end))
    return path


def _member(name: str, text: str) -> tuple[str, bytes, int, int]:
    data = text.encode()
    return name, _raw_deflate(data), len(data), zlib.crc32(data)


def _xlsx_with_padded_sheet(path: Path, padding_mib: int) -> Path:
    """A valid workbook whose sheet holds `padding_mib` MiB of blank space inside sheetData (legal XML whitespace).

    The deflate stream is made once per 4 MiB and repeated: after a full flush the compressor starts afresh, so each
    4 MiB of spaces compresses to the same bytes (about 1,026 to 1), and a 300 MB member takes milliseconds to write.
    """
    head = _sheet_xml().split("</sheetData>")[0].encode()
    tail = b"</sheetData></worksheet>"
    chunk = b" " * (4 << 20)
    pieces = padding_mib // 4
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = compressor.compress(head) + compressor.flush(zlib.Z_FULL_FLUSH)
    piece = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    last = compressor.compress(tail) + compressor.flush()
    crc = zlib.crc32(head)
    for _unused in range(pieces):
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(tail, crc)
    size = len(head) + pieces * len(chunk) + len(tail)
    members = [
        _member("[Content_Types].xml", _OOXML_CONTENT_TYPES),
        _member("_rels/.rels", _OOXML_ROOT_RELS),
        _member("xl/workbook.xml", _OOXML_WORKBOOK),
        _member("xl/_rels/workbook.xml.rels", _OOXML_WORKBOOK_RELS),
        ("xl/worksheets/sheet1.xml", first + piece * pieces + last, size, crc),
        _member("xl/sharedStrings.xml", _shared_strings_xml()),
    ]
    return _hand_made_zip(path, members)


# --- the hostile corpus ----------------------------------------------------------------------------------------------

_LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    + "]>"
)


def xml_bomb_xlsx(folder: Path, part: str = "shared_strings") -> Path:
    """The "billion laughs": nine nested entities that would expand to 10⁹ "lol"s, in sharedStrings.xml or the sheet."""
    if part == "sheet":
        cell = '<c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c>'
        return hand_made_xlsx(folder / "xml-bomb-sheet.xlsx", _sheet_xml(_LAUGHS, cell), _shared_strings_xml())
    return hand_made_xlsx(folder / "xml-bomb.xlsx", _sheet_xml(), _shared_strings_xml(_LAUGHS, "&lol9;"))


def external_entity_xlsx(folder: Path, part: str = "shared_strings") -> Path:
    """An entity naming a local file (XXE); the file holds SECRET_MARKER, which no reader may ever show."""
    secret = folder / "secret.txt"
    secret.write_text(SECRET_MARKER, encoding="utf-8")
    prolog = f'<!DOCTYPE data [<!ENTITY xxe SYSTEM "{secret.resolve().as_uri()}">]>'
    if part == "sheet":
        cell = '<c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c>'
        return hand_made_xlsx(folder / "external-entity-sheet.xlsx", _sheet_xml(prolog, cell), _shared_strings_xml())
    return hand_made_xlsx(folder / "external-entity.xlsx", _sheet_xml(), _shared_strings_xml(prolog, "&xxe;"))


def entity_declaration_only_xlsx(folder: Path) -> Path:
    """A DTD declaring an external entity that no cell uses: harmless to calamine, refused by jointlead all the same."""
    secret = folder / "secret.txt"
    secret.write_text(SECRET_MARKER, encoding="utf-8")
    prolog = f'<!DOCTYPE sst [<!ENTITY xxe SYSTEM "{secret.resolve().as_uri()}">]>'
    return hand_made_xlsx(folder / "entity-declaration.xlsx", _sheet_xml(), _shared_strings_xml(prolog))


def zip_bomb_xlsx(folder: Path, megabytes: int = 300) -> Path:
    """A real, valid workbook whose sheet expands to `megabytes` MiB of blank space from about 1/1000 of that."""
    return _xlsx_with_padded_sheet(folder / "zip-bomb.xlsx", megabytes)


def compression_bomb_xlsx(folder: Path) -> Path:
    """Under the size limit in total (148 MiB), but one part compresses more than 1,000 to 1: refused all the same."""
    return _xlsx_with_padded_sheet(folder / "compression-bomb.xlsx", 148)


def password_protected_xlsx(folder: Path) -> Path:
    """What Excel writes when a workbook has a password: an OLE2 compound file, not a zip, whatever its name."""
    streams = {"EncryptionInfo": b"\x04\x00\x04\x00\x40\x00\x00\x00" + b"\0" * 200, "EncryptedPackage": b"\x01" * 5000}
    path = folder / "protected.xlsx"
    path.write_bytes(compound_file(streams))
    return path


XLS_ROWS: list[list[object]] = [
    ["Cost Centre", "Subjective", "Posting Date", "Amount", "Paid"],
    ["00123", "5101", dt.date(2026, 10, 3), 1234.5, True],
    [],
    ["04567", "5201", dt.date(2026, 10, 15), -12.0, False],
]


def password_protected_xls(folder: Path) -> Path:
    """An Excel 97-2003 workbook with a password to open: a FILEPASS record at the start of its workbook stream."""
    path = folder / "protected.xls"
    path.write_bytes(compound_file({"Workbook": biff8_workbook_stream({"Ledger": XLS_ROWS}, encrypted=True)}))
    return path


def xls_renamed_xlsx(folder: Path) -> Path:
    """A real Excel 97-2003 (.xls) workbook saved with an .xlsx name, as people do when a system insists on .xlsx."""
    return write_xls(folder / "ledger.xlsx", {"Ledger": XLS_ROWS})


def far_cell_xls(folder: Path) -> Path:
    """An .xls with one stray number at row 60,000, column 20,000: a 1.2-billion-cell rectangle to a reader."""
    path = folder / "far-cell.xls"
    path.write_bytes(
        compound_file({"Workbook": biff8_workbook_stream({"Ledger": XLS_ROWS}, stray_cell=(59_999, 19_999))})
    )
    return path


def vast_dimensions_xls(folder: Path) -> Path:
    """An .xls whose DIMENSIONS record claims 4,000,000 rows by 2,000 columns around a handful of cells."""
    stream = biff8_workbook_stream({"Ledger": XLS_ROWS}, declared_area=(4_000_000, 2_000))
    path = folder / "vast-dimensions.xls"
    path.write_bytes(compound_file({"Workbook": stream}))
    return path


def html_as_xls(folder: Path) -> Path:
    """A web page with a table, saved as .xls: what many finance systems call an Excel export."""
    page = (
        '\ufeff\r\n  <html xmlns:o="urn:schemas-microsoft-com:office:office"'
        ' xmlns:x="urn:schemas-microsoft-com:office:excel">'
        '<head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head><body><table>'
        "<tr><td>Cost Centre</td><td>Amount</td></tr><tr><td>00123</td><td>£1,234.50</td></tr>"
        "</table></body></html>"
    )
    path = folder / "ledger.xls"
    path.write_text(page, encoding="utf-8")
    return path


def spreadsheetml_as_xls(folder: Path) -> Path:
    """Excel 2003's XML spreadsheet format saved as .xls, another thing older systems export."""
    text = (
        '<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n'
        '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"'
        ' xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">'
        '<Worksheet ss:Name="Ledger"><Table><Row><Cell><Data ss:Type="String">Cost Centre</Data></Cell></Row>'
        "</Table></Worksheet></Workbook>"
    )
    path = folder / "ledger-2003.xls"
    path.write_text(text, encoding="utf-8")
    return path


def text_as_xls(folder: Path) -> Path:
    """Tab-separated text with an .xls name: readable, and read as the text it is."""
    return write_csv(folder / "staff.xls", [["Employee No", "Name"], ["000123", "Ada Lovelace"]], delimiter="\t")


def truncated_xlsx(folder: Path) -> Path:
    """A valid workbook cut in half, as a download or a save that did not finish leaves it."""
    whole = write_xlsx(folder / "whole.xlsx", {"Ledger": [["Cost Centre", "Amount"], ["00123", 1234.5]] * 50})
    data = whole.read_bytes()
    whole.unlink()
    path = folder / "truncated.xlsx"
    path.write_bytes(data[: len(data) // 2])
    return path


def empty_file(folder: Path, name: str = "empty.xlsx") -> Path:
    path = folder / name
    path.write_bytes(b"")
    return path


def not_a_spreadsheet(folder: Path) -> Path:
    """A PNG image (its signature and header chunk) named as a workbook."""
    header = b"\x89PNG\r\n\x1a\n" + struct.pack(">I4sIIBBBBB", 13, b"IHDR", 1, 1, 8, 2, 0, 0, 0)
    path = folder / "chart.xlsx"
    path.write_bytes(header + struct.pack(">I", zlib.crc32(header[12:])) + b"\0" * 64)
    return path


STAFF_ROWS: list[list[str]] = [
    ["Employee No", "Name", "Job Title", "WTE"],
    ["000123", "Zoë Brontë", "Social Worker", "1.0"],
    ["004567", "Ian Smith ", "Team Manager £", "0.8"],
]


def csv_utf8_bom(folder: Path) -> Path:
    """What Excel's "CSV UTF-8" writes: a byte-order mark, then UTF-8."""
    return write_csv(folder / "staff-utf8.csv", STAFF_ROWS, encoding="utf-8-sig")


def csv_cp1252(folder: Path) -> Path:
    """What Excel's plain "CSV" writes on a UK Windows PC: Windows-1252, so "£" is the single byte 0xA3."""
    return write_csv(
        folder / "ledger-cp1252.csv", [["Cost Centre", "Value £"], ["00123", "£1,234.50"]], encoding="cp1252"
    )


def semicolon_csv(folder: Path) -> Path:
    """Semicolons between fields, as systems set up for European locales write, with commas inside the amounts."""
    rows = [
        ["Cost Centre", "Amount", "Description"],
        ["00123", "1,234.50", "Agency, October"],
        ["04567", "-12", "Travel"],
    ]
    return write_csv(folder / "ledger-semicolon.csv", rows, delimiter=";")


def too_many_rows_csv(folder: Path, rows: int = 120) -> Path:
    """A header and `rows` data rows: more than a small ReadLimits(max_rows=…) a test passes."""
    return write_csv(folder / "many-rows.csv", [["Row"], *([str(number)] for number in range(1, rows + 1))])


LONG_CELL_CHARS = 40_000


def long_cell_xlsx(folder: Path) -> Path:
    """A cell of 40,000 characters at Data!C3, beyond the 32,767 Excel allows (openpyxl would cut it, so by hand)."""

    def text(reference: str, value: str) -> str:
        return f'<c r="{reference}" t="inlineStr"><is><t>{value}</t></is></c>'

    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        f'<row r="1">{text("A1", "Code")}{text("B1", "Name")}{text("C1", "Notes")}</row>'
        f'<row r="3">{text("A3", "00123")}{text("B3", "x")}{text("C3", "x" * LONG_CELL_CHARS)}</row>'
        "</sheetData></worksheet>"
    )
    return hand_made_xlsx(folder / "long-cell.xlsx", sheet, _shared_strings_xml())


def far_cell_xlsx(folder: Path) -> Path:
    """A stray value typed in XFD1048576, the last cell of a sheet, as Excel saves it (its <dimension> says so too)."""
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<dimension ref="A1:XFD1048576"/><sheetData>'
        '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
        '<row r="1048576"><c r="XFD1048576"><v>42</v></c></row>'
        "</sheetData></worksheet>"
    )
    return hand_made_xlsx(folder / "far-cell.xlsx", sheet, _shared_strings_xml())


def messy_ledger_xlsx(folder: Path) -> Path:
    """A ledger extract as finance systems really send them (sheets "Notes", then "Ledger").

    Ledger: merged title rows 1-2, blank row 3, header row 4 (Cost Centre, Subjective, Posting Date, Description,
    Trans No, Value £), data rows 5-8, a "Sub-total" row 9, blank row 10, the header repeated in row 11, a data row 12
    and a "Grand Total" row 13. Codes keep leading zeros and some have trailing spaces; dates are date cells or text;
    amounts are "£1,234.50", "1,234.50-", "(1,234.50)", a number 250 and "-£12".
    """
    workbook = openpyxl.Workbook()
    notes = workbook.active
    notes.title = "Notes"
    notes.append(["This extract was produced by the Northshire Council finance system."])
    notes.append(["Figures are provisional until period close."])
    ledger = workbook.create_sheet("Ledger")
    header = ["Cost Centre", "Subjective", "Posting Date", "Description", "Trans No", "Value £"]
    rows: list[list[object]] = [
        ["Northshire Council: General Ledger Extract"],
        ["Period 7 (October 2026)", None, None, None, "Run 03/11/2026"],
        [],
        header,
        ["00123 ", "5101", dt.date(2026, 10, 3), "Agency staff", "J000101", "£1,234.50"],
        ["00123", "5102 ", "15/10/2026", "Refund of overpayment", "J000102", "1,234.50-"],
        ["04567", "5201", dt.date(2026, 10, 20), "Travel", "J000103", "(1,234.50)"],
        ["04567", "5201", "2026-10-21", "Stationery", "J000104", 250],
        [None, None, None, "Sub-total", None, "£-984.50"],
        [],
        header,
        ["08900", "5301", dt.date(2026, 10, 31), "Rent", "J000105", "-£12"],
        [None, None, None, "Grand Total", None, "£-996.50"],
    ]
    for row in rows:
        ledger.append(row)
    ledger.merge_cells("A1:F1")
    ledger.merge_cells("A2:D2")
    for cell in ("C5", "C7", "C12"):
        ledger[cell].number_format = "dd/mm/yyyy"
    path = folder / "messy-ledger.xlsx"
    workbook.save(path)
    return path


def uncompressed_bytes(path: Path) -> int:
    """The total size the members of a zip-based file declare, for tests that want to say what a bomb claims."""
    with zipfile.ZipFile(path) as archive:
        return sum(member.file_size for member in archive.infolist())


def lying_dimension_xlsx(folder: Path) -> Path:
    """far_cell_xlsx made to lie: its <dimension> says A1 alone, so only reading the cells finds XFD1048576."""
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<dimension ref="A1"/><sheetData>'
        '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
        '<row r="1048576"><c r="XFD1048576"><v>42</v></c></row>'
        "</sheetData></worksheet>"
    )
    return hand_made_xlsx(folder / "lying-dimension.xlsx", sheet, _shared_strings_xml())


# --- more hostile kinds, and the corpus every importer is run against (issue 10) -----------------------------------


def pdf_as_xlsx(folder: Path) -> Path:
    """A (tiny but well-formed) PDF report saved with an .xlsx name, as a "download as" menu can do."""
    body = (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )
    path = folder / "ledger-report.xlsx"
    path.write_bytes(body)
    return path


def binary_garbage(folder: Path, name: str = "garbage.xlsx", size: int = 64 * 1024, seed: int = 10) -> Path:
    """Random bytes (the same every run), as a disk error or a wrong attachment gives."""
    import random

    path = folder / name
    path.write_bytes(random.Random(seed).randbytes(size))
    return path


def utf16_csv_without_bom(folder: Path, rows: Rows) -> Path:
    """UTF-16 text with no byte-order mark: every other byte a NUL to a reader that does not know the encoding."""
    path = folder / "utf16-no-bom.csv"
    text = "".join(",".join("" if cell is None else str(cell) for cell in row) + "\r\n" for row in rows)
    path.write_bytes(text.encode("utf-16-le"))
    return path


def csv_with_nuls(folder: Path, rows: Rows) -> Path:
    """A CSV with NUL bytes in its cells, as a fixed-width export padded with zeros leaves them."""
    path = folder / "nuls.csv"
    text = "".join(",".join("" if cell is None else f"{cell}\0\0" for cell in row) + "\r\n" for row in rows)
    path.write_bytes(text.encode())
    return path


def blank_csv(folder: Path) -> Path:
    """Not empty, but nothing in it: blank lines, spaces and a few separators."""
    path = folder / "blank.csv"
    path.write_bytes(b"\r\n   \r\n,,,\r\n\t\r\n\r\n")
    return path


def undecodable_text(folder: Path) -> Path:
    """Text in no encoding jointlead reads: not UTF-8, and bytes Windows-1252 leaves undefined (0x81, 0x8D...)."""
    path = folder / "mangled.csv"
    path.write_bytes(b"Cost Centre,Amount\r\n\x81\x8d\x8f\x90\x9d,\x81\x81\r\n" * 4)
    return path


def unterminated_quote_csv(folder: Path, rows: Rows) -> Path:
    """A CSV whose quote opens in the first data row and never closes: the rest of the file is one cell."""
    lines = [",".join(str(cell) for cell in rows[0])]
    lines += ['"' + ",".join(str(cell) for cell in rows[1])]
    lines += [",".join(str(cell) for cell in row) for row in rows[2:]]
    path = folder / "open-quote.csv"
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


def long_cell_csv(folder: Path, rows: Rows) -> Path:
    """`rows` with 40,000 characters in the second cell of the first data row."""
    spoilt = [list(row) for row in rows]
    spoilt[1][1] = "x" * LONG_CELL_CHARS
    return write_csv(folder / "long-cell.csv", spoilt)


def xlsb_workbook(folder: Path) -> Path:
    """The parts that make a zip an Excel binary workbook (.xlsb), saved with an .xlsx name."""
    path = folder / "binary-workbook.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _OOXML_CONTENT_TYPES)
        archive.writestr("_rels/.rels", _OOXML_ROOT_RELS)
        archive.writestr("xl/workbook.bin", b"\x83\x01\x00" * 20)
        archive.writestr("xl/worksheets/sheet1.bin", b"\x81\x01\x00" * 20)
    return path


def docx_as_xlsx(folder: Path) -> Path:
    """A Word document's parts in a zip named .xlsx: a zip, but not a spreadsheet."""
    path = folder / "minutes.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _OOXML_CONTENT_TYPES)
        archive.writestr("_rels/.rels", _OOXML_ROOT_RELS)
        archive.writestr(
            "word/document.xml",
            '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            "<w:body><w:p><w:r><w:t>Cost Centre</w:t></w:r></w:p></w:body></w:document>",
        )
    return path


def million_rows_xlsx(folder: Path, header: Sequence[str]) -> Path:
    """A header, then one value in the sheet's last row (1,048,576): over the row limit, though small in area."""

    def text(reference: str, value: str) -> str:
        return f'<c r="{reference}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'

    cells = "".join(text(f"{column_letters(index)}1", value) for index, value in enumerate(header))
    last = column_letters(len(header) - 1)
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="A1:{last}1048576"/><sheetData>'
        f'<row r="1">{cells}</row>'
        '<row r="1048576"><c r="A1048576"><v>1</v></c></row>'
        "</sheetData></worksheet>"
    )
    return hand_made_xlsx(folder / "million-rows.xlsx", sheet, _shared_strings_xml())


def wide_sparse_xlsx(folder: Path, header: Sequence[str], rows: int = 1_000_000, width: int = 30) -> Path:
    """A header, then one value at the far corner of `rows` by `width` cells: within the row limit (1,000,000) and the
    area limit (30,000,000 cells), yet calamine allocates every one of those cells, about 32 bytes each."""

    def text(reference: str, value: str) -> str:
        return f'<c r="{reference}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'

    cells = "".join(text(f"{column_letters(index)}1", value) for index, value in enumerate(header))
    corner = f"{column_letters(width - 1)}{rows}"
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="A1:{corner}"/><sheetData>'
        f'<row r="1">{cells}</row><row r="{rows}"><c r="{corner}"><v>1</v></c></row>'
        "</sheetData></worksheet>"
    )
    return hand_made_xlsx(folder / "wide-sparse.xlsx", sheet, _shared_strings_xml())


def column_letters(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: for the sheets written by hand here."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def hidden_sheets_only_xlsx(folder: Path, rows: Rows) -> Path:
    """A workbook whose one sheet, holding a good table, is hidden: there is nothing visible to import."""
    path = write_xlsx(folder / "hidden.xlsx", {"Data": rows})
    with zipfile.ZipFile(path) as archive:
        workbook = archive.read("xl/workbook.xml")
    if b'state="visible"' in workbook:
        return replace_in_zip(path, "xl/workbook.xml", b'state="visible"', b'state="hidden"')
    return replace_in_zip(path, "xl/workbook.xml", b'<sheet name="Data"', b'<sheet state="hidden" name="Data"')


def replace_in_zip(path: Path, member: str | None, old: bytes, new: bytes) -> Path:
    """Rewrite a zip-based file in place with `old` replaced by `new` in `member` (None: in whichever parts hold it).

    `old` must occur: a generator that silently made an ordinary file would prove nothing.
    """
    with zipfile.ZipFile(path) as archive:
        parts = [(info, archive.read(info)) for info in archive.infolist()]
    found = False
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in parts:
            if member in (None, info.filename) and old in data:
                found = True
                data = data.replace(old, new)
            archive.writestr(info.filename, data)
    if not found:
        raise ValueError(f"{old!r} is not in {member or 'any part'} of {path.name}")
    return path


def merged_chaos_xlsx(folder: Path, rows: Rows) -> Path:
    """A table wrecked by merging: a merged title, then each pair of header cells merged, so every other header is lost
    (Excel keeps only the top-left value of a merge), and data cells merged down and across."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Report"
    sheet.append(["Report"])
    sheet.append([])
    for row in rows:
        sheet.append(list(row))
    width = max(len(row) for row in rows)
    sheet.merge_cells(start_row=1, start_column=1, end_row=2, end_column=width)
    for column in range(1, width, 2):
        sheet.merge_cells(start_row=3, start_column=column, end_row=3, end_column=column + 1)
    for column in range(2, width + 1, 3):
        sheet.merge_cells(start_row=4, start_column=column, end_row=3 + len(rows), end_column=column)
    path = folder / "merged-chaos.xlsx"
    workbook.save(path)
    return path


def formulas_only_xlsx(folder: Path, header: Sequence[str], count: int = 5) -> Path:
    """The header, then rows of nothing but formulas, saved (as a script saves them) with no calculated values."""
    rows: list[list[object]] = [list(header)]
    for number in range(2, count + 2):
        rows.append([f"=A{number - 1}&\"{column}\"" if column else f"=ROW()*{number}" for column in range(len(header))])
    return write_xlsx(folder / "formulas-only.xlsx", {"Data": rows})


# --- the corpus: each kind of bad file, made for each importer it applies to ------------------------------------------
#
# Tables that the demo service (src/jointlead/services/demo.py, with NFT as the ledger partner and the employer)
# accepts in full: each kind below spoils one of them in one way. "actions" kinds spoil a copy of a tracker exported
# from the same database, which the caller passes in.

IMPORTERS = ("ledger", "staff", "supervision", "actions")
TABLE_IMPORTERS = IMPORTERS[:3]

GOOD_TABLES: dict[str, list[list[object]]] = {
    "ledger": [
        ["Cost Centre", "Subjective", "Period", "Trans No", "Description", "Value £"],
        ["C41200", "5110", "M8", "HC-0001", "Agency staff", "£100.00"],
        ["C41210", "5111", "M8", "HC-0002", "Travel", "(12.50)"],
    ],
    "staff": [
        ["Employee No", "Name", "Job Title", "Grade", "WTE"],
        ["990001", "Hostile Tester", "Social Worker", "Band 6", "1.0"],
        ["990002", "Second Tester", "Staff Nurse", "Band 5", "0.8"],
    ],
    "supervision": [
        ["Staff name", "Supervisor", "Supervision type", "Date of supervision", "Length", "Outcome"],
        ["Tom Mason", "Eleanor Marshall", "Managerial", "02/11/2026", "60", "Held"],
        ["Tom Mason", "Eleanor Marshall", "Managerial", "16/11/2026", "45", "Held"],
    ],
}


def good_table(importer: str) -> list[list[object]]:
    return [list(row) for row in GOOD_TABLES[importer]]


def _spoil(importer: str, column: str, *values: object) -> list[list[object]]:
    """The good table with `column` of each data row set to the next of `values`."""
    rows = good_table(importer)
    index = rows[0].index(column)
    for row, value in zip(rows[1:], itertools.cycle(values)):
        row[index] = value
    return rows


def _renamed(importer: str, old: str, new: str) -> list[list[object]]:
    rows = good_table(importer)
    rows[0][rows[0].index(old)] = new
    return rows


class TrackerEdit:
    """Edits a copy of an exported action tracker as its owner would in Excel, by header and Ref."""

    def __init__(self, tracker: Path, folder: Path, name: str) -> None:
        import shutil

        self.path = folder / name
        shutil.copyfile(tracker, self.path)
        self.workbook = openpyxl.load_workbook(self.path)
        self.sheet = self.workbook["Actions"]
        self.columns = {cell.value: cell.column for cell in self.sheet[1]}
        self.refs = [cell.value for cell in self.sheet["A"][1:] if cell.value]

    def set(self, index: int, header: str, value: object) -> TrackerEdit:
        """Type `value` under `header` in the row of the index-th exported action."""
        row = next(cell.row for cell in self.sheet["A"] if cell.value == self.refs[index])
        self.sheet.cell(row, self.columns[header], value)
        return self

    def add_row(self, **values: object) -> TrackerEdit:
        row = self.sheet.max_row + 1
        for header, value in values.items():
            self.sheet.cell(row, self.columns[header.replace("_", " ")], value)
        return self

    def save(self) -> Path:
        self.workbook.save(self.path)
        return self.path


def _tracker_no_header(tracker: Path, folder: Path) -> Path:
    edit = TrackerEdit(tracker, folder, "no-header.xlsx")
    for cell in edit.sheet[1]:
        cell.value = None
    return edit.save()


def _tracker_missing_column(tracker: Path, folder: Path) -> Path:
    edit = TrackerEdit(tracker, folder, "missing-column.xlsx")
    edit.sheet.cell(1, edit.columns["Ref"], "Item")
    return edit.save()


def _tracker_ambiguous(tracker: Path, folder: Path) -> Path:
    edit = TrackerEdit(tracker, folder, "ambiguous.xlsx")
    edit.sheet.cell(1, edit.columns["Reason for new due date"], "New update")
    return edit.save()


def _tracker_long_cell(tracker: Path, folder: Path) -> Path:
    edit = TrackerEdit(tracker, folder, "long-cell.xlsx").set(0, "New update", "LONG-CELL-MARKER")
    path = edit.save()
    return replace_in_zip(path, None, b"LONG-CELL-MARKER", b"x" * LONG_CELL_CHARS)


def _tracker_merged(tracker: Path, folder: Path) -> Path:
    edit = TrackerEdit(tracker, folder, "merged-chaos.xlsx")
    for column in range(1, len(edit.columns), 2):
        edit.sheet.merge_cells(start_row=1, start_column=column, end_row=1, end_column=column + 1)
    return edit.save()


def _tracker_wrong_sheet(tracker: Path, folder: Path) -> Path:
    edit = TrackerEdit(tracker, folder, "wrong-sheet.xlsx")
    for row in edit.sheet.iter_rows():
        for cell in row:
            if not isinstance(cell, openpyxl.cell.cell.MergedCell):
                cell.value = None
    edit.sheet["A1"] = "Notes from the meeting"
    edit.sheet["A2"] = "Nothing to report this month."
    return edit.save()


def _tracker_not_ours(tracker: Path, folder: Path) -> Path:
    edit = TrackerEdit(tracker, folder, "not-ours.xlsx")
    del edit.workbook["Tracker control"]
    return edit.save()


def _tracker_tampered(tracker: Path, folder: Path) -> Path:
    edit = TrackerEdit(tracker, folder, "tampered.xlsx")
    control = edit.workbook["Tracker control"]
    control.cell(control.max_row, 2, "0000000000000000")
    return edit.save()


def _tracker_rows(name: str, *edits: tuple[int, str, object], new: dict[str, object] | None = None):
    def make(tracker: Path, folder: Path) -> Path:
        edit = TrackerEdit(tracker, folder, name)
        for index, header, value in edits:
            edit.set(index, header, value)
        if new:
            edit.add_row(**new)
        return edit.save()

    return make


def _tracker_duplicate(tracker: Path, folder: Path) -> Path:
    edit = TrackerEdit(tracker, folder, "duplicate-refs.xlsx").set(0, "New update", "First.")
    edit.add_row(Ref=edit.refs[0], New_update="Second, on a copy of the row.")
    return edit.save()


@dataclass(frozen=True)
class HostileKind:
    """One kind of bad file: how to make it for an importer, and which importers it applies to.

    make(folder, importer, tracker) writes the file into `folder` (a fresh one per call) and returns its path;
    `tracker` is an action tracker exported from the database under test, for the "actions" importer.
    """

    name: str
    what: str
    make: Callable[[Path, str, Path | None], Path]
    importers: tuple[str, ...] = IMPORTERS
    known_gap: str = ""  # why jointlead does not yet refuse this kind as it should (see the tests that mark it)


def _any(build: Callable[[Path], Path]) -> Callable[[Path, str, Path | None], Path]:
    return lambda folder, _importer, _tracker: build(folder)


def _table(build: Callable[[Path, list[list[object]]], Path],
           tracker_build: Callable[[Path, Path], Path] | None = None) -> Callable[[Path, str, Path | None], Path]:
    """A kind made from the importer's good table; the action tracker's version, if any, edits the exported tracker."""

    def make(folder: Path, importer: str, tracker: Path | None) -> Path:
        if importer == "actions":
            if tracker is None or tracker_build is None:
                raise ValueError("this kind needs an exported tracker")
            return tracker_build(tracker, folder)
        return build(folder, good_table(importer))

    return make


def _per_importer(tables: dict[str, Callable[[], list[list[object]]]], *, name: str,
                  tracker_build: Callable[[Path, Path], Path] | None = None,
                  writer: Callable[[Path, Rows], Path] | None = None) -> Callable[[Path, str, Path | None], Path]:
    """A kind whose table differs by importer; written as .xlsx unless `writer` says otherwise."""

    def make(folder: Path, importer: str, tracker: Path | None) -> Path:
        if importer == "actions":
            if tracker is None or tracker_build is None:
                raise ValueError("this kind needs an exported tracker")
            return tracker_build(tracker, folder)
        rows = tables[importer]()
        if writer is not None:
            return writer(folder / f"{name}.csv", rows)
        return write_xlsx(folder / f"{name}.xlsx", {"Data": [["Extract"], [], *rows]})

    return make


_NO_HEADER = {
    "ledger": lambda: [["C41200", "5110", 8, "HC-0001", 100.0], ["C41210", "5111", 8, "HC-0002", -12.5]],
    "staff": lambda: [["990001", "Hostile Tester", "Nurse", 1.0], ["990002", "Second Tester", "Nurse", 0.8]],
    "supervision": lambda: [["Tom Mason", "Eleanor Marshall", dt.date(2026, 11, 2), 60]],
}
_MISSING = {
    "ledger": lambda: _renamed("ledger", "Subjective", "Notes"),
    "staff": lambda: _renamed("staff", "Employee No", "Notes"),
    "supervision": lambda: _renamed("supervision", "Date of supervision", "Notes"),
}
_AMBIGUOUS = {
    "ledger": lambda: _renamed("ledger", "Description", "Amount"),
    "staff": lambda: _renamed("staff", "Job Title", "Payroll Number"),
    "supervision": lambda: _renamed("supervision", "Outcome", "Supervisee"),
}
_UNPARSEABLE = {
    "ledger": lambda: _spoil("ledger", "Value £", "twelve pounds", "£1,2,3.4.5"),
    "staff": lambda: _spoil("staff", "WTE", "lots", "1..0"),
    "supervision": lambda: _spoil("supervision", "Length", "forever", "1.5"),
}
_CONTROL = {  # "_x0007_" is how an .xlsx stores a BEL character; openpyxl refuses to write the character itself
    "ledger": lambda: _spoil("ledger", "Cost Centre", "C41_x0007_200", "C41_x001B_210"),
    "staff": lambda: _spoil("staff", "Employee No", "990_x0007_001", "990_x001B_002"),
    "supervision": lambda: _spoil("supervision", "Staff name", "Tom_x0007_ Mason", "Tom_x001B_ Mason"),
}
_ABSURD_DATES = {
    "ledger": lambda: [
        ["Cost Centre", "Subjective", "Posting Date", "Trans No", "Description", "Value £"],
        ["C41200", "5110", "31/12/9999", "HC-0001", "Agency staff", "£100.00"],
        ["C41210", "5111", "01/01/1800", "HC-0002", "Travel", "(12.50)"],
        ["C41210", "5111", 2958466, "HC-0003", "Serial past 9999", "1.00"],
    ],
    "staff": lambda: [[*row, date] for row, date in zip(good_table("staff"), ("Start date", "14/10/1066",
                                                                              "31/12/9999"), strict=True)],
    "supervision": lambda: _spoil("supervision", "Date of supervision", "01/01/2099", "01/01/1850"),
}
_DUPLICATES = {
    "ledger": lambda: _spoil("ledger", "Trans No", "HC-0001"),
    "staff": lambda: _spoil("staff", "Employee No", "990001"),
    "supervision": lambda: [*good_table("supervision"), good_table("supervision")[1]],
}
_OVERFLOW = {
    "ledger": lambda: _spoil("ledger", "Value £", "£99,999,999,999,999,999.00", 1e308),
    "staff": lambda: _spoil("staff", "WTE", 1e308, "1e999"),
    "supervision": lambda: _spoil("supervision", "Length", 1e308, "99999999999 mins"),
}
_WRONG_SHEET = {importer: (lambda: [["Notes"], ["Figures are provisional."], ["See the other file."]])
                for importer in TABLE_IMPORTERS}
_LOCKED = {"ledger": lambda: _spoil("ledger", "Period", "M1", "M2")}
_UNKNOWN_PEOPLE = {
    "supervision": lambda: _spoil("supervision", "Staff name", "Nobody Atall", "Nemo Nobody"),
}


def _formulas(folder: Path, importer: str, tracker: Path | None) -> Path:
    if importer == "actions":
        assert tracker is not None
        return _tracker_rows("formulas.xlsx", (0, "New due date", "=TODAY()+7"), (0, "New status", "=B2"),
                             (0, "Reason for new due date", "Because."))(tracker, folder)
    return formulas_only_xlsx(folder, GOOD_TABLES[importer][0])


CORPUS: tuple[HostileKind, ...] = (
    HostileKind("empty file", "0 bytes, named .xlsx", _any(empty_file)),
    HostileKind("blank text", "only blank lines, spaces and separators", _any(blank_csv)),
    HostileKind("XML bomb (strings)", "billion laughs in sharedStrings.xml", _any(xml_bomb_xlsx)),
    HostileKind("XML bomb (sheet)", "billion laughs in the worksheet", _any(lambda f: xml_bomb_xlsx(f, "sheet"))),
    HostileKind("external entity (strings)", "XXE naming a local file", _any(external_entity_xlsx)),
    HostileKind("external entity (sheet)", "XXE in the worksheet",
                _any(lambda f: external_entity_xlsx(f, "sheet"))),
    HostileKind("entity declaration", "a DTD that no cell uses", _any(entity_declaration_only_xlsx)),
    HostileKind("zip bomb", "300 MiB from about 300 KB", _any(zip_bomb_xlsx)),
    HostileKind("compression bomb", "148 MiB part, ratio over 1,000", _any(compression_bomb_xlsx)),
    HostileKind("encrypted .xlsx", "OLE2 EncryptionInfo/EncryptedPackage", _any(password_protected_xlsx)),
    HostileKind("encrypted .xls", "BIFF8 with FILEPASS", _any(password_protected_xls)),
    HostileKind(".xls renamed .xlsx", "real BIFF8 holding an October ledger", _any(xls_renamed_xlsx)),
    HostileKind("HTML as .xls", "a web page table named .xls", _any(html_as_xls)),
    HostileKind("SpreadsheetML as .xls", "Excel 2003 XML named .xls", _any(spreadsheetml_as_xls)),
    HostileKind("text as .xls", "a tab-separated staff list named .xls", _any(text_as_xls),
                ("ledger", "supervision", "actions")),
    HostileKind("truncated .xlsx", "the first half of a workbook", _any(truncated_xlsx)),
    HostileKind("PNG as .xlsx", "an image", _any(not_a_spreadsheet)),
    HostileKind("PDF as .xlsx", "a PDF report", _any(pdf_as_xlsx)),
    HostileKind("binary garbage", "64 KB of random bytes", _any(binary_garbage)),
    HostileKind(".xlsb", "an Excel binary workbook", _any(xlsb_workbook)),
    HostileKind("Word as .xlsx", "a zip of Word parts", _any(docx_as_xlsx)),
    HostileKind("UTF-16 CSV, no BOM", "the importer's table in UTF-16-LE",
                _table(utf16_csv_without_bom, lambda t, f: utf16_csv_without_bom(f, good_table("ledger")))),
    HostileKind("CSV with NULs", "NUL bytes after every cell",
                _table(csv_with_nuls, lambda t, f: csv_with_nuls(f, good_table("staff")))),
    HostileKind("undecodable text", "bytes undefined in UTF-8 and Windows-1252", _any(undecodable_text)),
    HostileKind("unterminated quote", "a quote that never closes", _table(
        unterminated_quote_csv, lambda t, f: unterminated_quote_csv(f, good_table("ledger")))),
    HostileKind("far cell .xlsx", "a value in XFD1048576", _any(far_cell_xlsx)),
    HostileKind("lying dimension", "<dimension> A1, a value in XFD1048576", _any(lying_dimension_xlsx)),
    HostileKind("far cell .xls", "a value at row 60,000, column 20,000", _any(far_cell_xls)),
    HostileKind("vast dimensions .xls", "DIMENSIONS of 4,000,000 by 2,000", _any(vast_dimensions_xls)),
    HostileKind("1M+ rows declared", "a header, then a value in row 1,048,576",
                _table(lambda f, rows: million_rows_xlsx(f, [str(c) for c in rows[0]]),
                       lambda t, f: million_rows_xlsx(f, ["Ref", "Action", "Owner", "Due", "New update"]))),
    HostileKind("wide sparse sheet", "one value at AD1000000: 30,000,000 cells, all within the limits",
                _table(lambda f, rows: wide_sparse_xlsx(f, [str(c) for c in rows[0]]),
                       lambda t, f: wide_sparse_xlsx(f, ["Ref", "Action", "Owner", "Due", "New update"]))),
    HostileKind("cell over 32,767 (.xlsx)", "40,000 characters in one cell", _table(
        lambda f, _rows: long_cell_xlsx(f), _tracker_long_cell)),
    HostileKind("cell over 32,767 (CSV)", "40,000 characters in one field", _table(
        long_cell_csv, lambda t, f: long_cell_csv(f, good_table("ledger")))),
    HostileKind("hidden sheets only", "the only sheet is hidden", _table(
        hidden_sheets_only_xlsx, lambda t, f: hidden_sheets_only_xlsx(f, good_table("ledger")))),
    HostileKind("no header", "data rows without a header row", _per_importer(
        _NO_HEADER, name="no-header", tracker_build=_tracker_no_header)),
    HostileKind("missing required column", "a required header renamed away", _per_importer(
        _MISSING, name="missing-column", tracker_build=_tracker_missing_column)),
    HostileKind("ambiguous columns", "two headers for one field", _per_importer(
        _AMBIGUOUS, name="ambiguous", tracker_build=_tracker_ambiguous)),
    HostileKind("unparseable values", "amounts, WTEs, lengths or dates no one can read", _per_importer(
        _UNPARSEABLE, name="unparseable", tracker_build=_tracker_rows(
            "unparseable.xlsx", (0, "New due date", "someday"), (0, "Reason for new due date", "Why not."),
            (1, "New status", "Finished-ish")))),
    HostileKind("control characters", "BEL and ESC inside codes and names", _per_importer(
        _CONTROL, name="control", tracker_build=_tracker_rows(
            "control.xlsx", (0, "New update", "Done_x0007_ and dusted"), (1, "New status", "Open_x001B_")))),
    HostileKind("merged-cell chaos", "header cells merged in pairs, data merged down", _table(
        merged_chaos_xlsx, _tracker_merged)),
    HostileKind("formulas only", "formulas with no calculated values", _formulas),
    HostileKind("wrong sheet", "a workbook of notes, not the table", _per_importer(
        _WRONG_SHEET, name="wrong-sheet", tracker_build=_tracker_wrong_sheet)),
    HostileKind("absurd dates", "year 9999, 1066, 1800, 2099", _per_importer(
        _ABSURD_DATES, name="absurd-dates", tracker_build=_tracker_rows(
            "absurd-dates.xlsx", (0, "New due date", dt.date(9999, 12, 31)), (0, "Reason for new due date", "Later."),
            (1, "New due date", "01/01/1800"), (1, "Reason for new due date", "Earlier.")))),
    HostileKind("duplicate ids", "the same id (or session, or Ref) twice", _per_importer(
        _DUPLICATES, name="duplicates", tracker_build=_tracker_duplicate)),
    HostileKind("numbers out of range", "1e308, 1e999, £99 quadrillion, a 21-digit Ref", _per_importer(
        _OVERFLOW, name="overflow", tracker_build=_tracker_rows(
            "overflow.xlsx", new={"Ref": "A-999999999999999999999", "New update": "Who?"}))),
    HostileKind("locked period", "every row in a closed month", _per_importer(_LOCKED, name="locked"), ("ledger",)),
    HostileKind("unknown people", "supervisees or owners no one has recorded", _per_importer(
        _UNKNOWN_PEOPLE, name="unknown-people", tracker_build=_tracker_rows(
            "unknown-owner.xlsx", new={"Action": "A new one", "Owner": "Nobody Atall",
                                       "Due": dt.date(2027, 1, 8)})), ("supervision", "actions")),
    HostileKind("tracker not ours", "the hidden control sheet removed", lambda f, _i, t: _tracker_not_ours(t, f),
                ("actions",)),
    HostileKind("tracker tampered", "a version in the control sheet changed", lambda f, _i, t: _tracker_tampered(t, f),
                ("actions",)),
)


def two_row_header_ledger_xlsx(folder: Path, *, pages: int = 1) -> Path:
    """A ledger report laid out by hand: a title, then a header in two rows, with "Cost centre", "Account" and
    "Amount £" each merged across the two columns they head and "Period" and "Details" merged down both rows; and
    with `pages` over 1, that many pages of the same two postings, each under the header again, as printed."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Report"
    header = [["Cost centre", None, "Account", None, "Period", "Amount £", None, "Details"],
              ["Code", "Name", "Code", "Name", None, "Debit", "Credit", None]]
    postings = [["00123", "Social work", "5101", "Agency", 7, 1200.5, None, "Agency staff"],
                ["04567", "Transport", "5201", "Travel", 7, None, 45, "Refund of mileage"]]
    sheet.append(["Council ledger report, October 2026"])
    sheet.append([])
    for page in range(pages):
        for row in (*(header if page == 0 else [[], *header]), *postings):
            sheet.append(row)
    for cells in ("A1:H1", "A3:B3", "C3:D3", "F3:G3", "E3:E4", "H3:H4"):
        sheet.merge_cells(cells)
    path = folder / "two-row-header.xlsx"
    workbook.save(path)
    return path
