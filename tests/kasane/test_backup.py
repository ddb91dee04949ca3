"""`kasane backup` → drop the database → `kasane restore` gives back the same served layers,
shelter statuses and users (whose tokens still work), on a real PostGIS."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from psycopg import sql

from gis.platform.auth import authenticate
from gis.platform.databases import create_sibling, drop_sibling, sibling_url
from gis.platform.db import connect
from gis.residents.shelter_status import StatusChange, set_status
from tests.shared_data import shared_path

ROOT = Path(__file__).resolve().parents[2]
SHELTERS = ("gsi-shelters", "evacuation", "332071.json")


def kasane(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """`kasane …` as an operator runs it, against ``url``."""
    return subprocess.run(
        [sys.executable, "-m", "kasane", *args],
        cwd=ROOT,
        env={**os.environ, "KASANE_DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=300,
    )


def snapshot(url: str) -> dict[str, Any]:
    """What a resident, a staff member and an admin would notice: served versions and their
    rows, every shelter status and its history, users and organisations."""
    with connect(url) as conn:
        served = conn.execute(
            "SELECT layer_id, version FROM kasane.layer_current ORDER BY 1"
        ).fetchall()
        rows = {}
        for layer_id, _ in served:
            view = sql.Identifier("layer_data", str(layer_id))
            rows[layer_id] = conn.execute(
                sql.SQL(
                    "SELECT count(*), md5(string_agg(t::text, '|' ORDER BY t::text)) FROM {} t"
                ).format(view)
            ).fetchone()
        return {
            "served": served,
            "rows": rows,
            "statuses": conn.execute(
                "SELECT shelter_id, status, crowding, note, revision, updated_by"
                " FROM kasane.shelter_status ORDER BY 1"
            ).fetchall(),
            "history": conn.execute(
                "SELECT shelter_id, revision, new_status FROM kasane.shelter_status_history"
                " ORDER BY 1, 2"
            ).fetchall(),
            "users": conn.execute(
                "SELECT id, name, org_code, role FROM kasane.users ORDER BY id"
            ).fetchall(),
            "audit": conn.execute("SELECT count(*) FROM kasane.audit_log").fetchone(),
        }


@pytest.fixture(scope="module")
def backup_url(database_url: str) -> Iterator[str]:
    """A database of its own (dropped and recreated by the test)."""
    name = database_url.rsplit("/", 1)[1].split("?")[0] + f"_bk{os.getpid() % 1000}"
    yield create_sibling(database_url, name)
    drop_sibling(database_url, name)


def test_backup_drop_restore_gives_the_same_layers_statuses_and_users(
    backup_url: str, tmp_path: Path
) -> None:
    loaded = kasane(backup_url, "load", "shelters", str(shared_path(*SHELTERS)))
    assert loaded.returncode == 0, loaded.stderr
    added = kasane(backup_url, "users", "add", "soumu", "--org", "332071", "--role", "editor")
    assert added.returncode == 0, added.stderr
    token = added.stdout.strip().splitlines()[-1]
    with connect(backup_url) as conn:
        principal = authenticate(conn, token)
        shelter = conn.execute("SELECT shelter_id FROM layer_data.shelters LIMIT 1").fetchone()
        assert shelter is not None
        set_status(conn, principal, str(shelter[0]), StatusChange("open", "crowded", "体育館"))
        conn.commit()
    before = snapshot(backup_url)
    assert before["served"] and before["statuses"] and before["users"]

    file = tmp_path / "kasane.backup"
    made = kasane(backup_url, "backup", str(file))
    assert made.returncode == 0, made.stderr
    assert file.stat().st_size > 0 and not file.with_name("kasane.backup.partial").exists()

    name = backup_url.rsplit("/", 1)[1]
    drop_sibling(sibling_url(backup_url, "postgres"), name)
    with connect(sibling_url(backup_url, "postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))

    restored = kasane(backup_url, "restore", str(file))
    assert restored.returncode == 0, restored.stderr
    assert "1 served layers, 1 users" in restored.stdout
    assert snapshot(backup_url) == before
    with connect(backup_url) as conn:
        assert authenticate(conn, token).name == "soumu"  # the same tokens still work

    again = kasane(backup_url, "restore", str(file))
    assert again.returncode == 1
    assert "already has served layers or users" in again.stderr and "--force" in again.stderr
    forced = kasane(backup_url, "restore", "--force", str(file))
    assert forced.returncode == 0, forced.stderr
    assert snapshot(backup_url) == before


def test_an_older_backup_is_migrated_to_this_version(backup_url: str, tmp_path: Path) -> None:
    """The upgrade path: a backup taken before the newest migration restores and migrates."""
    with connect(backup_url) as conn:
        conn.execute("DROP TABLE IF EXISTS kasane.readers")
        conn.execute("DELETE FROM kasane.schema_migrations WHERE version = '1020_readers'")
        conn.commit()
    file = tmp_path / "older.backup"
    assert kasane(backup_url, "backup", str(file)).returncode == 0
    restored = kasane(backup_url, "restore", "--force", str(file))
    assert restored.returncode == 0, restored.stderr
    assert "upgraded the restored schema: 1020_readers" in restored.stdout
    with connect(backup_url) as conn:
        found = conn.execute("SELECT to_regclass('kasane.readers') IS NOT NULL").fetchone()
        assert found == (True,)


@pytest.mark.parametrize(
    ("content", "why"),
    [(None, "no such backup file"), (b"not a dump at all\n", "is not a backup made by")],
)
def test_restore_refuses_what_is_not_a_backup(
    database_url: str, tmp_path: Path, content: bytes | None, why: str
) -> None:
    file = tmp_path / "broken.backup"
    if content is not None:
        file.write_bytes(content)
    result = kasane(sibling_url(database_url, "kasane_never_touched"), "restore", str(file))
    assert result.returncode == 1
    assert result.stderr.startswith("kasane: error: ") and why in result.stderr
    assert "Traceback" not in result.stderr


def test_backup_to_a_missing_directory_says_so(database_url: str, tmp_path: Path) -> None:
    result = kasane(database_url, "backup", str(tmp_path / "nowhere" / "kasane.backup"))
    assert result.returncode == 1
    assert "no such directory" in result.stderr and "Traceback" not in result.stderr
