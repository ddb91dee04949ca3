"""Database access: which URL to use, connections and pools with clear errors, PostGIS checks."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg_pool import ConnectionPool

from gis.platform.errors import ConfigError, DatabaseNotReady, DatabaseUnavailable
from gis.platform.provision import read_cluster
from gis.platform.settings import Settings

MIN_POSTGIS = (3, 3)
CONNECT_TIMEOUT_S = 5
POOL_WAIT_S = 3  # how long a request waits for a connection before answering 503


def database_url(settings: Settings) -> str:
    """``KASANE_DATABASE_URL`` when set, else the private cluster made by ``kasane db up``."""
    if settings.database_url:
        return settings.database_url
    cluster = read_cluster(settings.home)
    if cluster is None:
        raise ConfigError(
            "no database configured",
            hint="set KASANE_DATABASE_URL, or run `kasane db up` for a private PostGIS",
        )
    return cluster.url


def redact(url: str) -> str:
    """The URL with any password replaced, safe for messages and logs."""
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", url)


def connect(url: str, *, autocommit: bool = False) -> psycopg.Connection[tuple[object, ...]]:
    """Open one connection, turning driver errors into one readable line."""
    try:
        return psycopg.connect(url, autocommit=autocommit, connect_timeout=CONNECT_TIMEOUT_S)
    except psycopg.OperationalError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DatabaseUnavailable(f"cannot connect to {redact(url)}: {first}") from exc
    except psycopg.ProgrammingError as exc:
        raise ConfigError(f"invalid database URL {redact(url)}: {exc}") from exc


@contextmanager
def connection(url: str) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    """A connection that commits on success, rolls back on error, and always closes."""
    conn = connect(url)
    try:
        with conn:
            yield conn
    finally:
        conn.close()


def parse_version(text: str) -> tuple[int, int]:
    """``'3.3.2 ...'`` -> ``(3, 3)``."""
    match = re.match(r"(\d+)\.(\d+)", text)
    if not match:
        raise DatabaseNotReady(f"cannot read the PostGIS version from {text!r}")
    return int(match.group(1)), int(match.group(2))


def check_postgis(conn: psycopg.Connection[tuple[object, ...]]) -> str:
    """Ensure PostGIS ≥ 3.3 is installed (creating it when allowed); returns its version."""
    row = conn.execute("SELECT extversion FROM pg_extension WHERE extname = 'postgis'").fetchone()
    if row is None:
        try:
            with conn.transaction():
                conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        except psycopg.Error as exc:
            raise DatabaseNotReady(
                "PostGIS is not installed in this database and could not be created "
                f"({str(exc).strip().splitlines()[0]})",
                hint="ask the database owner to run CREATE EXTENSION postgis (PostGIS ≥ 3.3)",
            ) from exc
        row = conn.execute(
            "SELECT extversion FROM pg_extension WHERE extname = 'postgis'"
        ).fetchone()
    version = str(row[0]) if row else "0.0"
    if parse_version(version) < MIN_POSTGIS:
        raise DatabaseNotReady(f"PostGIS {version} is too old; Kasane needs 3.3 or newer")
    return version


def open_pool(url: str, *, max_size: int = 8, name: str = "kasane") -> ConnectionPool:
    """A psycopg pool that opens lazily, so a server starts even while the database is down."""
    return ConnectionPool(
        url,
        min_size=1,
        max_size=max_size,
        name=name,
        open=True,
        timeout=POOL_WAIT_S,
        kwargs={"connect_timeout": CONNECT_TIMEOUT_S},
    )
