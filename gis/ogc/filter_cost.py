"""What a CQL2 filter may cost: rules checked before the query, and a statement timeout.

A filter is a user's question, so running out of time is the user's 400 ("narrow it"), never
a 503 that reads as if the server were down.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

from gis.layerstore.layerspec import LayerSpec
from gis.layerstore.storage import Conn
from gis.ogc.cql2_sql import SqlFilter
from gis.platform.errors import BadRequest

FILTER_TIMEOUT_MS = 5_000
LIKE_SCAN_ROWS = 100_000  # above this many features, LIKE '%…' needs a bbox beside it


def check_cost(flt: SqlFilter, layer: LayerSpec, rows: int, *, has_bbox: bool = False) -> None:
    """BadRequest when the filter would read every feature of a large layer by text."""
    if flt.leading_wildcard and rows > LIKE_SCAN_ROWS and not (has_bbox or flt.spatial):
        names = ", ".join(sorted(flt.leading_wildcard))
        raise BadRequest(
            f"filter: LIKE starting with % or _ on {names} reads all {rows:,} features of"
            f" {layer.id!r} (the limit LIKE_SCAN_ROWS is {LIKE_SCAN_ROWS:,}): start the pattern"
            " with text ('小学校%'), or add a bbox or a spatial condition"
        )


@contextmanager
def bounded(conn: Conn, flt: SqlFilter | None) -> Iterator[None]:
    """Run the enclosed statements under the filter's time limit (none without a filter)."""
    if flt is None:
        yield
        return
    try:
        with conn.transaction():
            conn.execute(
                "SELECT set_config('statement_timeout', %s, true)", (f"{FILTER_TIMEOUT_MS}ms",)
            )
            yield
    except psycopg.errors.QueryCanceled:
        raise BadRequest(
            f"filter: the query took longer than {FILTER_TIMEOUT_MS / 1000:g} s (the limit"
            " FILTER_TIMEOUT_MS): narrow it with a bbox, a spatial condition or an indexed field"
        ) from None
    except psycopg.errors.DataError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else "bad value"
        raise BadRequest(f"filter: a value does not fit ({first[:200]})") from None
