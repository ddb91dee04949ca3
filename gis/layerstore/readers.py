"""Read-only PostgreSQL roles for analysts: the served layer views and nothing else.

``kasane db reader add NAME`` makes a LOGIN role that may SELECT every served view
``layer_data."<layer>"`` — not the version tables behind them, not ``kasane.*`` (users, tokens,
audit), not ``transit.*`` — and may create nothing. A view is dropped and created again
each time a layer is published, which drops its grants, so :func:`grant_view` runs inside
every publish (and after a restore) for the roles listed in ``kasane.readers``.

Roles belong to the PostgreSQL cluster, not to one database: the same name in two Kasane
databases on one cluster is one role, and the database user needs CREATEROLE.
"""

from __future__ import annotations

import re
import secrets

import psycopg
from psycopg import sql

from gis.platform.errors import BadRequest, DatabaseNotReady

Conn = psycopg.Connection[tuple[object, ...]]
NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_SERVED_VIEWS = (
    "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    " JOIN kasane.layer_current l ON l.layer_id = c.relname"
    " WHERE n.nspname = 'layer_data' AND c.relkind = 'v' ORDER BY 1"
)


def check_name(name: str) -> str:
    """A role name a person can type unquoted in psql and QGIS: lower case, digits, ``_``."""
    if not NAME.match(name) or name.startswith("pg_"):
        raise BadRequest(
            f"reader name {name!r} is not allowed",
            hint="use lower-case letters, digits and _ (at most 63), not starting with pg_",
        )
    return name


def readers(conn: Conn) -> list[str]:
    """The reader roles of this database that still exist in the cluster."""
    rows = conn.execute(
        "SELECT name FROM kasane.readers WHERE to_regrole(quote_ident(name)) IS NOT NULL"
        " ORDER BY name"
    ).fetchall()
    return [str(row[0]) for row in rows]


def grant_view(conn: Conn, layer_id: str, *, public: bool = True) -> None:
    """Let every reader SELECT the served view of ``layer_id`` (after it was (re)created).
    Restricted layers (``public = false``) are never granted: their owners decide who sees
    them, through Kasane's sign-in, not a shared database role."""
    if not public:
        return
    for name in readers(conn):
        conn.execute(
            sql.SQL("GRANT SELECT ON {} TO {}").format(
                sql.Identifier("layer_data", layer_id), sql.Identifier(name)
            )
        )


def grant_all(conn: Conn, public_layers: set[str]) -> None:
    """Grant every served view of ``public_layers`` to every reader (after a restore)."""
    for name in readers(conn):
        _grant_to(conn, name, public_layers)


def _grant_to(conn: Conn, name: str, public_layers: set[str]) -> None:
    role = sql.Identifier(name)
    conn.execute(sql.SQL("GRANT USAGE ON SCHEMA layer_data TO {}").format(role))
    for (view,) in conn.execute(_SERVED_VIEWS).fetchall():
        if str(view) not in public_layers:
            continue
        conn.execute(
            sql.SQL("GRANT SELECT ON {} TO {}").format(
                sql.Identifier("layer_data", str(view)), role
            )
        )


def add(conn: Conn, name: str, public_layers: set[str]) -> str:
    """Create (or renew) reader ``name`` with a new random password; returns the password.

    Call in a transaction: the role, its grants and its row in ``kasane.readers`` appear
    together or not at all.
    """
    check_name(name)
    password = secrets.token_urlsafe(24)
    role = sql.Identifier(name)
    exists = conn.execute("SELECT to_regrole(%s) IS NOT NULL", (name,)).fetchone()
    if exists and exists[0]:
        known = conn.execute("SELECT 1 FROM kasane.readers WHERE name = %s", (name,)).fetchone()
        if known is None:
            raise BadRequest(
                f"a PostgreSQL role {name!r} already exists and is not a Kasane reader",
                hint="choose another name",
            )
        statement = "ALTER ROLE {} WITH LOGIN PASSWORD {}"
    else:
        statement = "CREATE ROLE {} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD {}"
    try:
        conn.execute(sql.SQL(statement).format(role, sql.Literal(password)))
    except psycopg.errors.InsufficientPrivilege as exc:
        raise DatabaseNotReady(
            "the database user may not create roles",
            hint="grant it CREATEROLE, or ask the database owner to run `kasane db reader add`",
        ) from exc
    # idle analysts' queries never hold a layer swap for long
    conn.execute(sql.SQL("ALTER ROLE {} SET statement_timeout = '5min'").format(role))
    conn.execute(sql.SQL("ALTER ROLE {} SET default_transaction_read_only = on").format(role))
    conn.execute(
        "INSERT INTO kasane.readers (name) VALUES (%s) ON CONFLICT (name) DO NOTHING", (name,)
    )
    _grant_to(conn, name, public_layers)
    return password


def remove(conn: Conn, name: str) -> bool:
    """Drop reader ``name`` (its grants here, then the role); False when it was no reader."""
    check_name(name)
    row = conn.execute("DELETE FROM kasane.readers WHERE name = %s RETURNING 1", (name,)).fetchone()
    if row is None:
        return False
    exists = conn.execute("SELECT to_regrole(%s) IS NOT NULL", (name,)).fetchone()
    if exists and exists[0]:
        role = sql.Identifier(name)
        conn.execute(sql.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA layer_data FROM {}").format(role))
        conn.execute(sql.SQL("REVOKE ALL ON SCHEMA layer_data FROM {}").format(role))
        try:
            conn.execute(sql.SQL("DROP ROLE {}").format(role))
        except psycopg.errors.DependentObjectsStillExist as exc:
            raise BadRequest(
                f"reader {name!r} still has grants in another database on this server",
                hint="run `kasane db reader remove` against that database first",
            ) from exc
    return True
