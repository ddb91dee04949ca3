"""Rate limits counted in PostgreSQL, so they hold across workers, server processes and hosts.

One token bucket per (kind, client) in the UNLOGGED table ``kasane.rate_buckets`` on the
primary: ``per_minute`` tokens, refilled continuously; a request spends one. Refill, spend and
verdict are one ``INSERT .. ON CONFLICT DO UPDATE``, so concurrent requests of one client (on
any worker of any host) queue on its row lock and are counted exactly once each. The clock is
the database's, so hosts whose clocks differ still agree.
"""

from __future__ import annotations

import random
from typing import Any

import psycopg

PRUNE_ONE_IN = 500  # now and then, forget buckets idle long enough to be full again


def _take_sql() -> str:
    level = (
        "least(%(cap)s::float8, b.tokens + %(rate)s::float8"
        " * greatest(0, extract(epoch FROM statement_timestamp() - b.at)))"
    )
    return f"""
INSERT INTO kasane.rate_buckets AS b (kind, client, tokens, allowed, at)
VALUES (%(kind)s, %(client)s, %(cap)s::float8 - 1, true, statement_timestamp())
ON CONFLICT (kind, client) DO UPDATE SET
    tokens = CASE WHEN {level} >= 1 THEN {level} - 1 ELSE {level} END,
    allowed = {level} >= 1,
    at = statement_timestamp()
RETURNING tokens, allowed
"""


TAKE_SQL = _take_sql()


def take(conn: psycopg.Connection[Any], kind: str, client: bytes, per_minute: int) -> float:
    """Spend one of ``client``'s ``per_minute`` tokens of ``kind``, committing at once;
    returns 0 when allowed, else the seconds until a token is free."""
    rate = per_minute / 60.0
    params = {"kind": kind, "client": client, "cap": float(per_minute), "rate": rate}
    with conn.transaction():
        row = conn.execute(TAKE_SQL, params).fetchone()
        if random.randrange(PRUNE_ONE_IN) == 0:
            conn.execute(
                "DELETE FROM kasane.rate_buckets WHERE at < statement_timestamp() - %s::interval",
                ("2 minutes",),
            )
    if row is None or bool(row[1]):
        return 0.0
    return max(0.0, (1.0 - float(row[0])) / rate)
