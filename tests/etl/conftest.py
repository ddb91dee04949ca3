"""A database of its own for the ETL tests, so their loads never disturb the demo data."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from gis.db import connect
from gis.migrate import migrate

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def etl_url(database_url: str) -> Iterator[str]:
    """A fresh migrated database next to the session's test database (dropped afterwards)."""
    name = database_url.rsplit("/", 1)[1].split("?")[0] + f"_etl{os.getpid() % 1000}"
    with connect(database_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    url = database_url.rsplit("/", 1)[0] + "/" + name
    with connect(url) as conn:
        migrate(conn)
        conn.commit()
    yield url
    _drop(database_url, name)


def _drop(database_url: str, name: str) -> None:
    """Drop a test database; retried, as FORCE cannot end an autovacuum worker that happens
    to be busy in it (InsufficientPrivilege) — the worker is gone a moment later."""
    import psycopg

    for attempt in range(20):
        try:
            with connect(database_url, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            return
        except psycopg.errors.InsufficientPrivilege:
            if attempt == 19:
                raise
            time.sleep(0.5)


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
