"""The `kasane` command as a person uses it: help, and one clear line for each fixable error."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from gis.platform.databases import sibling_url
from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]


def kasane(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, **env}
    return subprocess.run(
        [sys.executable, "-m", "kasane", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=environment,
        timeout=120,
    )


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["db"],
        ["db", "up"],
        ["db", "down"],
        ["db", "status"],
        ["db", "migrate"],
        ["layers"],
        ["layers", "list"],
        ["layers", "history"],
        ["layers", "rollback"],
        ["serve"],
        ["demo"],
        ["export"],
        ["export", "pmtiles"],
        ["backup"],
        ["restore"],
        ["db", "reader"],
        ["db", "reader", "add"],
        ["db", "reader", "list"],
        ["db", "reader", "remove"],
        ["db", "replica"],
        ["db", "replica", "add"],
        ["db", "replica", "list"],
        ["db", "replica", "start"],
        ["db", "replica", "remove"],
    ],
)
def test_every_command_explains_itself(args: list[str]) -> None:
    result = kasane(*args, "--help")
    assert result.returncode == 0
    assert "Usage: kasane" in result.stdout
    docstring_line = result.stdout.split("\n\n")[1].strip()
    assert len(docstring_line) > 20


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("kasane: error: ")
    assert "Traceback" not in result.stderr
    return lines[0]


def test_wrong_database_url_is_one_line() -> None:
    url = f"postgresql://nobody:secret@127.0.0.1:{free_port()}/nowhere"
    line = one_line_error(kasane("db", "status", KASANE_DATABASE_URL=url))
    assert "cannot connect" in line
    assert "secret" not in line  # the password is redacted


def test_replica_add_needs_the_private_cluster(database_url: str) -> None:
    line = one_line_error(kasane("db", "replica", "add", KASANE_DATABASE_URL=database_url))
    assert "pg_basebackup -R" in line and "KASANE_DATABASE_REPLICA_URLS" in line


def test_replica_list_names_the_standby(standby: Any) -> None:
    _, made = standby
    result = kasane("db", "replica", "list")
    assert result.returncode == 0, result.stderr
    assert f"{made.name} port {made.port} running" in result.stdout
    assert ":***@" in result.stdout.splitlines()[0]  # the password only in the settings line


def test_malformed_database_url_is_one_line() -> None:
    line = one_line_error(kasane("layers", "list", KASANE_DATABASE_URL="postgresql://x:y@[bad"))
    assert "database" in line.lower()


def test_database_without_postgis_is_one_line(database_url: str) -> None:
    from gis.platform.db import connect

    admin = sibling_url(database_url, "kasane")
    with connect(admin, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS kasane_no_postgis")
        conn.execute("CREATE DATABASE kasane_no_postgis TEMPLATE template0")
    try:
        url = sibling_url(database_url, "kasane_no_postgis")
        line = one_line_error(kasane("db", "migrate", KASANE_DATABASE_URL=url))
        assert "PostGIS is not installed" in line
    finally:
        with connect(admin, autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS kasane_no_postgis WITH (FORCE)")


def test_broken_layer_file_names_file_and_key(tmp_path: Path) -> None:
    source = (ROOT / "layers" / "shelters.toml").read_text(encoding="utf-8")
    (tmp_path / "shelters.toml").write_text(
        source.replace("min_zoom", "minzoom", 1), encoding="utf-8"
    )
    line = one_line_error(kasane("layers", "validate", KASANE_LAYERS_DIR=str(tmp_path)))
    assert "shelters.toml" in line
    assert "minzoom" in line


def test_layers_validate_accepts_the_catalogue() -> None:
    result = kasane("layers", "validate")
    assert result.returncode == 0, result.stderr
    assert "layer files are valid" in result.stdout


def test_db_up_is_idempotent_and_status_reports(database_url: str) -> None:
    first = kasane("db", "up")
    second = kasane("db", "up")
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    assert first.stdout == second.stdout  # same port, same database
    status = kasane("db", "status")
    assert "running: yes" in status.stdout
    assert "pending migrations: none" in status.stdout


def test_database_without_privileges_is_one_line(database_url: str) -> None:
    from gis.platform import provision
    from gis.platform.settings import load_settings

    if os.environ.get("KASANE_TEST_DATABASE_URL"):
        pytest.skip("needs the private cluster's superuser to create a restricted role")
    cluster = provision.read_cluster(load_settings().home)
    assert cluster is not None
    provision.admin_sql(cluster, "DROP DATABASE IF EXISTS kasane_locked WITH (FORCE)")
    provision.admin_sql(cluster, "DROP ROLE IF EXISTS kasane_reader")
    provision.admin_sql(cluster, "CREATE ROLE kasane_reader LOGIN PASSWORD 'reader'")
    provision.admin_sql(cluster, "CREATE DATABASE kasane_locked")  # postgis comes from template1
    provision.admin_sql(cluster, "REVOKE CREATE ON SCHEMA public FROM PUBLIC", db="kasane_locked")
    try:
        url = f"postgresql://kasane_reader:reader@127.0.0.1:{cluster.port}/kasane_locked"
        line = one_line_error(kasane("db", "migrate", KASANE_DATABASE_URL=url))
        assert "may not create Kasane's schema" in line
    finally:
        provision.admin_sql(cluster, "DROP DATABASE IF EXISTS kasane_locked WITH (FORCE)")
        provision.admin_sql(cluster, "DROP ROLE IF EXISTS kasane_reader")


def test_a_derived_layer_is_not_loaded_from_files(database_url: str, tmp_path: Path) -> None:
    points = tmp_path / "p.geojson"
    points.write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    line = one_line_error(
        kasane("load", "transit_blank_areas", str(points), KASANE_DATABASE_URL=database_url)
    )
    assert "is computed by Kasane, not loaded from files" in line
