"""Hostile and messy spreadsheet files, written for real into a folder, for every test that reads spreadsheets."""

from __future__ import annotations

import csv
import datetime as dt
import struct
import zipfile
import zlib
from collections.abc import Sequence
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


def _hand_made_xlsx(path: Path, sheet_xml: str, shared_strings_xml: str) -> Path:
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
        return _hand_made_xlsx(folder / "xml-bomb-sheet.xlsx", _sheet_xml(_LAUGHS, cell), _shared_strings_xml())
    return _hand_made_xlsx(folder / "xml-bomb.xlsx", _sheet_xml(), _shared_strings_xml(_LAUGHS, "&lol9;"))


def external_entity_xlsx(folder: Path, part: str = "shared_strings") -> Path:
    """An entity naming a local file (XXE); the file holds SECRET_MARKER, which no reader may ever show."""
    secret = folder / "secret.txt"
    secret.write_text(SECRET_MARKER, encoding="utf-8")
    prolog = f'<!DOCTYPE data [<!ENTITY xxe SYSTEM "{secret.resolve().as_uri()}">]>'
    if part == "sheet":
        cell = '<c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c>'
        return _hand_made_xlsx(folder / "external-entity-sheet.xlsx", _sheet_xml(prolog, cell), _shared_strings_xml())
    return _hand_made_xlsx(folder / "external-entity.xlsx", _sheet_xml(), _shared_strings_xml(prolog, "&xxe;"))


def entity_declaration_only_xlsx(folder: Path) -> Path:
    """A DTD declaring an external entity that no cell uses: harmless to calamine, refused by jointlead all the same."""
    secret = folder / "secret.txt"
    secret.write_text(SECRET_MARKER, encoding="utf-8")
    prolog = f'<!DOCTYPE sst [<!ENTITY xxe SYSTEM "{secret.resolve().as_uri()}">]>'
    return _hand_made_xlsx(folder / "entity-declaration.xlsx", _sheet_xml(), _shared_strings_xml(prolog))


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
    return _hand_made_xlsx(folder / "long-cell.xlsx", sheet, _shared_strings_xml())


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
    return _hand_made_xlsx(folder / "far-cell.xlsx", sheet, _shared_strings_xml())


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
    return _hand_made_xlsx(folder / "lying-dimension.xlsx", sheet, _shared_strings_xml())
