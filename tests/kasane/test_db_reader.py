"""`kasane db reader add NAME`: an analyst's role reads the served layer views and nothing else,
keeps seeing a layer after it is published again, and is gone after `remove`."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator

import psycopg
import pytest

from gis.platform.databases import create_sibling, drop_sibling
from gis.platform.db import connect
from tests.kasane.test_backup import SHELTERS, kasane
from tests.shared_data import shared_path


@pytest.fixture(scope="module")
def reader_url(database_url: str) -> Iterator[str]:
    name = database_url.rsplit("/", 1)[1].split("?")[0] + f"_rd{os.getpid() % 1000}"
    url = create_sibling(database_url, name)
    loaded = kasane(url, "load", "shelters", str(shared_path(*SHELTERS)))
    assert loaded.returncode == 0, loaded.stderr
    yield url
    drop_sibling(database_url, name)


def refused(url: str, statement: str) -> bool:
    """True when the reader may not run ``statement`` (no privilege, or read-only)."""
    with connect(url) as conn:
        try:
            conn.execute(statement)
        except (psycopg.errors.InsufficientPrivilege, psycopg.errors.ReadOnlySqlTransaction):
            return True
    return False


def test_a_reader_sees_the_served_views_and_nothing_else(reader_url: str) -> None:
    name = f"analyst_{secrets.token_hex(3)}"
    added = kasane(reader_url, "db", "reader", "add", name)
    assert added.returncode == 0, added.stderr
    url = added.stdout.strip().splitlines()[-1]
    assert url.startswith(f"postgresql://{name}:")
    try:
        with connect(url) as conn:
            count = conn.execute("SELECT count(*) FROM layer_data.shelters").fetchone()
            assert count is not None and count[0] > 0
            # PostGIS works for the analyst
            conn.execute("SELECT ST_AsText(geom) FROM layer_data.shelters LIMIT 1").fetchone()
        for forbidden in (
            "SELECT * FROM kasane.users",
            "SELECT * FROM kasane.api_tokens",
            "SELECT * FROM kasane.audit_log",
            'SELECT * FROM layer_data."shelters__v1"',
            "SELECT * FROM transit.feeds",
            "DELETE FROM layer_data.shelters",
            "CREATE TABLE public.mine (x int)",
        ):
            assert refused(url, forbidden), forbidden

        again = kasane(reader_url, "load", "--force", "shelters", str(shared_path(*SHELTERS)))
        assert again.returncode == 0, again.stderr
        with connect(url) as conn:  # the new version's view is granted too
            assert conn.execute("SELECT count(*) FROM layer_data.shelters").fetchone() == count

        listed = kasane(reader_url, "db", "reader", "list")
        assert name in listed.stdout.split()
    finally:
        removed = kasane(reader_url, "db", "reader", "remove", name)
    assert removed.returncode == 0, removed.stderr
    with pytest.raises(Exception, match=r"authentication failed|does not exist"):
        connect(url).close()


@pytest.mark.parametrize("name", ["Analyst", "pg_x", "a-b", "x; DROP TABLE y", ""])
def test_a_bad_reader_name_is_refused_clearly(reader_url: str, name: str) -> None:
    result = kasane(reader_url, "db", "reader", "add", name)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr


def test_an_existing_role_is_not_taken_over(reader_url: str) -> None:
    with connect(reader_url) as conn:
        user = conn.execute("SELECT current_user").fetchone()
    assert user is not None
    result = kasane(reader_url, "db", "reader", "add", str(user[0]))
    assert result.returncode == 1
    assert "already exists and is not a Kasane reader" in result.stderr
