"""A database of its own for the ETL tests, so their loads never disturb the demo data."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from gis.platform.databases import create_sibling, drop_sibling

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def etl_url(database_url: str) -> Iterator[str]:
    """A fresh migrated database next to the session's test database (dropped afterwards)."""
    name = database_url.rsplit("/", 1)[1].split("?")[0] + f"_etl{os.getpid() % 1000}"
    yield create_sibling(database_url, name)
    drop_sibling(database_url, name)


def run_load(url: str, *args: str, check: bool = False) -> subprocess.CompletedProcess[str]:
    """`kasane load …` as a user runs it, against ``url``."""
    env = {**os.environ, "KASANE_DATABASE_URL": url}
    proc = subprocess.run(
        [sys.executable, "-m", "kasane", "load", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if check and proc.returncode != 0:
        raise AssertionError(proc.stdout + proc.stderr)
    return proc
