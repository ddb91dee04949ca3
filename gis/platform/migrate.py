"""Schema migrations: ordered SQL files in ``gis/platform/migrations`` recorded in a version table.

Each file runs in its own transaction under an advisory lock, so two processes migrating at
once (two gunicorn workers, a loader and a server) never apply the same file twice.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import resources

import psycopg

from gis.platform.errors import DatabaseNotReady

MIGRATION_LOCK = 0x4B415341  # "KASA"
_TABLE = """
CREATE SCHEMA IF NOT EXISTS kasane;
CREATE TABLE IF NOT EXISTS kasane.schema_migrations (
    version    text        PRIMARY KEY,
    sha256     text        NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
)
"""


@dataclass(frozen=True)
class Migration:
    """One SQL file, named ``NNNN_description.sql``."""

    version: str
    sql: str

    @property
    def sha256(self) -> str:
        """Digest of the file, to notice a migration edited after it was applied."""
        return hashlib.sha256(self.sql.encode()).hexdigest()


def available() -> list[Migration]:
    """Every migration shipped with the package, in order."""
    folder = resources.files("gis.platform") / "migrations"
    files = sorted(
        (entry for entry in folder.iterdir() if entry.name.endswith(".sql")), key=lambda e: e.name
    )
    return [Migration(entry.name.removesuffix(".sql"), entry.read_text("utf-8")) for entry in files]


def applied(conn: psycopg.Connection[tuple[object, ...]]) -> dict[str, str]:
    """Applied versions and their digests (empty before the first migration)."""
    exists = conn.execute("SELECT to_regclass('kasane.schema_migrations')").fetchone()
    if not exists or exists[0] is None:
        return {}
    rows = conn.execute("SELECT version, sha256 FROM kasane.schema_migrations").fetchall()
    return {str(version): str(digest) for version, digest in rows}


def migrate(conn: psycopg.Connection[tuple[object, ...]]) -> list[str]:
    """Apply the pending migrations; returns their versions. Safe to run again."""
    done: list[str] = []
    try:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
            conn.execute(_TABLE)
            already = applied(conn)
            for migration in available():
                if migration.version in already:
                    continue
                conn.execute(migration.sql.encode())
                conn.execute(
                    "INSERT INTO kasane.schema_migrations (version, sha256) VALUES (%s, %s)",
                    (migration.version, migration.sha256),
                )
                done.append(migration.version)
    except psycopg.errors.InsufficientPrivilege as exc:
        raise DatabaseNotReady(
            f"the database user may not create Kasane's schema: {str(exc).strip()}",
            hint="grant CREATE on the database to this user, or use another KASANE_DATABASE_URL",
        ) from exc
    return done


def pending(conn: psycopg.Connection[tuple[object, ...]]) -> list[str]:
    """Versions not yet applied."""
    already = applied(conn)
    return [m.version for m in available() if m.version not in already]
