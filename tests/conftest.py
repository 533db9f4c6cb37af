"""Test set-up shared by every kind of test: Qt offscreen before Qt loads, and a private data folder."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

# Before anything imports Qt: no screen is needed, and nothing touches the real user's data folder.
os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ["JOINTLEAD_DATA_DIR"] = tempfile.mkdtemp(prefix="jointlead-tests-")

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh data folder for tests that care what is in it (settings, demo, default database)."""
    folder = tmp_path / "data"
    folder.mkdir()
    monkeypatch.setenv("JOINTLEAD_DATA_DIR", str(folder))
    return folder


@pytest.fixture(scope="session")
def demo_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo service, built once per test run; tests take copies of it."""
    from jointlead.services.demo import create_demo_service
    from jointlead.store.database import create_database

    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    database = create_database(path)
    create_demo_service(database)
    database.close()
    return path


@pytest.fixture
def demo_path(demo_master: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "demo.sqlite"
    shutil.copyfile(demo_master, copy)
    return copy


@pytest.fixture
def demo_db(demo_path: Path) -> Iterator:
    from jointlead.store.database import open_database

    database = open_database(demo_path)
    yield database
    database.close()


@pytest.fixture
def empty_db(tmp_path: Path) -> Iterator:
    from jointlead.store.database import create_database

    database = create_database(tmp_path / "empty.sqlite")
    yield database
    database.close()
