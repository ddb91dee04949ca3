"""Backups of Kasane's own schemas with ``pg_dump`` / ``pg_restore`` (custom format).

A backup holds every schema Kasane creates — ``kasane`` (layer versions and the served pointer,
shelter statuses and their history, users, tokens, audit, the applied migrations),
``layer_data`` (every kept layer version and the served views), ``layer_tiles`` and
``transit`` — and nothing else of the database, so it restores into any database that has
PostGIS. The schema version travels with it (``kasane.schema_migrations``): restoring an older
backup and then migrating is the upgrade path.

The password never appears on a command line (``ps`` shows those): the URL is split into
``PG*`` environment variables for the client programs.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from gis.platform.db import check_postgis, connect, redact
from gis.platform.errors import ConfigError, DatabaseNotReady, KasaneError
from gis.platform.migrate import migrate
from gis.platform.provision import find_bindir

SCHEMAS = ("kasane", "layer_data", "layer_tiles", "transit")
TIMEOUT_S = 6 * 3600  # a prefecture's layers dump in minutes; never hang forever
COPY_BATCH = 4096  # rows handed to COPY at once


class BackupError(KasaneError):
    """pg_dump / pg_restore failed, or a file is not a Kasane backup."""


def client_program(name: str) -> str:
    """``pg_dump`` / ``pg_restore`` of the newest PostgreSQL with PostGIS, else from PATH."""
    try:
        candidate = find_bindir() / name
        if candidate.exists():
            return str(candidate)
    except KasaneError:
        pass
    found = shutil.which(name)
    if found is None:
        raise ConfigError(
            f"{name} not found",
            hint="install the PostgreSQL client programs (Debian: postgresql-client)",
        )
    return found


def _client_env(url: str) -> dict[str, str]:
    """``PG*`` variables for ``url`` (so that the password stays off the command line)."""
    names = {
        "host": "PGHOST",
        "port": "PGPORT",
        "user": "PGUSER",
        "password": "PGPASSWORD",
        "dbname": "PGDATABASE",
        "sslmode": "PGSSLMODE",
    }
    try:
        parts = conninfo_to_dict(url)
    except psycopg.ProgrammingError as exc:
        raise ConfigError(f"invalid database URL {redact(url)}: {exc}") from exc
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.update({names[k]: str(v) for k, v in parts.items() if k in names and v is not None})
    return env


def _run(args: list[str], url: str, what: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        args, env=_client_env(url), capture_output=True, text=True, timeout=TIMEOUT_S, check=False
    )
    if proc.returncode != 0:
        lines = [line for line in proc.stderr.strip().splitlines() if line.strip()]
        detail = lines[0] if lines else f"exit code {proc.returncode}"
        raise BackupError(f"{what} failed: {detail}")
    return proc


def backup(url: str, target: Path) -> int:
    """Write Kasane's schemas of ``url`` to ``target`` (custom format); returns its size.

    Written beside the target first and renamed at the end, so a failed backup never leaves a
    truncated file under the name a restore would use.
    """
    with connect(url) as conn:
        row = conn.execute("SELECT to_regclass('kasane.schema_migrations')").fetchone()
    if row is None or row[0] is None:
        raise DatabaseNotReady(
            f"{redact(url)} has no Kasane schema to back up", hint="run `kasane db up` first"
        )
    target = target.expanduser()
    if not target.parent.is_dir():
        raise ConfigError(f"{target.parent}: no such directory for the backup")
    partial = target.with_name(target.name + ".partial")
    args = [client_program("pg_dump"), "--format=custom", "--no-owner", "--no-privileges"]
    args += [f"--schema={schema}" for schema in SCHEMAS]
    try:
        _run([*args, f"--file={partial}"], url, "pg_dump")
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return target.stat().st_size


def check_file(source: Path) -> None:
    """Refuse, with the file's name and why, anything that is not a Kasane backup."""
    if not source.is_file():
        raise BackupError(f"{source}: no such backup file")
    try:
        listing = _run(
            [client_program("pg_restore"), "--list", str(source)], "", f"reading {source}"
        ).stdout
    except BackupError as exc:
        raise BackupError(f"{source} is not a backup made by `kasane backup` ({exc})") from exc
    if "TABLE kasane schema_migrations" not in listing:
        raise BackupError(f"{source} is a pg_dump file but not a Kasane backup (no kasane schema)")


def has_kasane_data(url: str) -> bool:
    """True when the database already holds a Kasane schema with served layers or users."""
    with connect(url) as conn:
        row = conn.execute("SELECT to_regclass('kasane.layer_current')").fetchone()
        if row is None or row[0] is None:
            return False
        count = conn.execute(
            "SELECT (SELECT count(*) FROM kasane.layer_current)"
            " + (SELECT count(*) FROM kasane.users)"
        ).fetchone()
    return bool(count and int(str(count[0])) > 0)


def restore(url: str, source: Path) -> list[str]:
    """Replace Kasane's schemas in ``url`` by those in ``source``; returns the migrations
    applied afterwards (a backup from an older Kasane is brought up to this one's schema).

    The old schemas are dropped and the backup restored in one transaction: a failed restore
    leaves the database as it was.
    """
    check_file(source)
    with connect(url) as conn:
        check_postgis(conn)
        conn.commit()
    drops = ";".join(
        sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(s)).as_string(None)
        for s in SCHEMAS
    )
    args = [client_program("pg_restore"), "--no-owner", "--no-privileges", "--file=-", str(source)]
    with connect(url) as conn:
        try:
            with conn.transaction():
                conn.execute(drops.encode())
                _replay(conn, args)
        except psycopg.Error as exc:
            first = str(exc).strip().splitlines()[0]
            raise BackupError(f"restoring {source} failed, nothing changed: {first}") from exc
        conn.execute("RESET search_path")  # the script empties it for the session
        applied = migrate(conn)
        conn.commit()
    return applied


def _replay(conn: psycopg.Connection[tuple[object, ...]], args: list[str]) -> None:
    """Stream pg_restore's SQL script, COPY blocks included, into ``conn`` (one transaction,
    memory bounded by the largest statement, not by the backup)."""
    with subprocess.Popen(
        args, env=_client_env(""), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        statement: list[bytes] = []
        lines = iter(proc.stdout)
        for line in lines:
            if line.startswith(b"\\"):  # psql meta-commands (\restrict since PostgreSQL 15.14)
                continue
            if not (line.startswith(b"COPY ") and line.rstrip().endswith(b"FROM stdin;")):
                statement.append(line)
                continue
            if statement:
                conn.execute(b"".join(statement))
                statement = []
            with conn.cursor().copy(line.rstrip().removesuffix(b";")) as copy:
                buffer: list[bytes] = []
                for data in lines:
                    if data.rstrip(b"\n") == b"\\.":
                        break
                    buffer.append(data)
                    if len(buffer) >= COPY_BATCH:
                        copy.write(b"".join(buffer))
                        buffer = []
                copy.write(b"".join(buffer))
        if statement:
            conn.execute(b"".join(statement))
        errors = proc.stderr.read().decode(errors="replace").strip()
    if proc.returncode != 0:
        raise BackupError(
            f"pg_restore failed: {errors.splitlines()[0] if errors else proc.returncode}"
        )
