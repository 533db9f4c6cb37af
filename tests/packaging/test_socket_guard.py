"""The socket guard in tests/conftest.py: a test that touches the network fails, whatever the code under test does."""

from __future__ import annotations

import contextlib
import socket
import urllib.request

import openpyxl
import pytest

from jointlead.exchange.reading import ReadLimits, open_source


def test_connecting_to_a_host_is_refused(socket_guard):
    with socket_guard.expecting_refusals() as refused, pytest.raises(socket_guard.NetworkUsed):
        socket.create_connection(("127.0.0.1", 9), timeout=1)
    assert len(refused) == 1 and "create_connection" in refused[0]


def test_an_internet_socket_is_refused_before_it_exists(socket_guard):
    with socket_guard.expecting_refusals() as refused:
        for family in (socket.AF_INET, socket.AF_INET6):
            with pytest.raises(socket_guard.NetworkUsed):
                socket.socket(family, socket.SOCK_STREAM)
    assert len(refused) == 2


def test_looking_up_a_host_name_is_refused(socket_guard):
    with socket_guard.expecting_refusals() as refused:
        with pytest.raises(socket_guard.NetworkUsed):
            socket.getaddrinfo("example.org", 443)
        with pytest.raises(socket_guard.NetworkUsed):
            socket.gethostbyname("example.org")
    assert len(refused) == 2


def test_code_that_swallows_network_errors_cannot_hide_the_attempt(socket_guard):
    """urllib turns an OSError into URLError; the guard's error is not an OSError, and the attempt is recorded, so the
    test that made it fails at teardown even when the code under test catches everything."""
    with socket_guard.expecting_refusals() as refused, contextlib.suppress(Exception):  # what careless code does
        urllib.request.urlopen("http://127.0.0.1:9/update-check", timeout=1)
    assert refused, "the attempt was not recorded"


def test_an_internet_socketpair_is_refused(socket_guard):
    with socket_guard.expecting_refusals() as refused, pytest.raises(socket_guard.NetworkUsed):
        socket.socketpair(socket.AF_INET)
    assert refused


@pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="multiprocessing uses named pipes where there is no AF_UNIX")
def test_the_workbook_reader_child_process_still_works_under_the_guard(tmp_path, socket_guard):
    """The one socket allowed: the AF_UNIX pair multiprocessing's Pipe() makes to talk to the reading process."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Ledger"
    sheet.append(["Cost centre", "Amount"])
    sheet.append(["NFT100", 12.5])
    workbook.save(tmp_path / "small.xlsx")
    before = len(socket_guard.attempts)
    with open_source(tmp_path / "small.xlsx", ReadLimits(child_from_cells=0, child_from_bytes=0)) as source:
        assert type(source.sheets[0]._source).__name__ == "_ChildWorkbookSource"  # really read in a child process
        assert list(source.sheets[0].rows()) == [["Cost centre", "Amount"], ["NFT100", 12.5]]
    assert socket_guard.attempts[before:] == []
