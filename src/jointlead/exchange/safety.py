"""Start-up check that the XML defences every workbook read relies on are installed."""

from __future__ import annotations

from importlib.util import find_spec

from jointlead.exchange.problems import FileRefused


def check_xml_defences() -> None:
    """openpyxl parses XML safely only when defusedxml can be imported; refuse to go on without it.

    Looked up, not imported, so start-up does not pay for openpyxl.
    """
    if find_spec("defusedxml") is None:
        raise FileRefused("jointlead's protection against malicious workbooks (the defusedxml package) is missing.",
                          "Reinstall jointlead; until then it will not read or write any workbook.")
