"""The layers Kasane derives from the ``transit`` schema, and the check that they agree with it.

``transit_stops`` and ``transit_routes`` are built from every stored GTFS feed, and
``transit_blank_areas`` from the feeds (with the population mesh and the boundaries) for the
municipalities and parameters it was asked for. They are republished in the transaction that
changes the feeds (``etl.gtfs_load``), and each version records the feeds it was built from
(``report.transit_feeds``: feed id and sha256 of each). :func:`check_derived` compares that
record, and the number of stops, with the schema as it is now (``kasane layers check``,
``/readyz?deep=1``).
"""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg import sql

from gis.layerstore import storage

Conn = psycopg.Connection[Any]

STOPS, ROUTES, BLANK_AREAS = "transit_stops", "transit_routes", "transit_blank_areas"
DERIVED_LAYERS = (STOPS, ROUTES, BLANK_AREAS)
ALWAYS_BUILT = (STOPS, ROUTES)  # blank areas exist only once a municipality was asked for
SOURCES_KEY = "transit_feeds"
STORED_STOPS = (
    "SELECT count(*) FROM transit.stops WHERE stop_lat IS NOT NULL AND stop_lon IS NOT NULL"
)


def feed_sources(conn: Conn) -> list[list[str]]:
    """``[feed_id, sha256]`` of every stored feed, in feed order: what a derived version
    records as its sources."""
    rows = conn.execute("SELECT feed_id, sha256 FROM transit.feeds ORDER BY feed_id").fetchall()
    return [[str(r[0]), str(r[1])] for r in rows]


def feeds_are_demo(conn: Conn) -> bool:
    """True when feeds are stored and every one is the demo's."""
    row = conn.execute("SELECT count(*) > 0 AND bool_and(demo) FROM transit.feeds").fetchone()
    return bool(row and row[0])


def check_derived(conn: Conn, declared: tuple[str, ...] = DERIVED_LAYERS) -> list[str]:
    """One line for every derived layer that disagrees with the transit schema; empty when all
    agree. ``declared``: the derived layers the catalogue declares (others are not checked)."""
    sources = feed_sources(conn)
    problems = []
    for layer_id in declared:
        row = conn.execute(
            "SELECT v.version, v.report -> %s FROM kasane.layer_current c"
            " JOIN kasane.layer_versions v USING (layer_id, version) WHERE c.layer_id = %s",
            (SOURCES_KEY, layer_id),
        ).fetchone()
        if row is None:
            if sources and layer_id in ALWAYS_BUILT:
                problems.append(f"{layer_id}: no version, but {len(sources)} feeds are stored")
            continue
        version, recorded = int(row[0]), row[1]
        if recorded is None:
            problems.append(
                f"{layer_id}: version {version} does not record the feeds it was built from"
            )
        elif recorded != sources:
            built = ", ".join(f[0] for f in recorded) or "no feed"
            stored = ", ".join(f[0] for f in sources) or "no feed"
            problems.append(
                f"{layer_id}: version {version} was built from {built}; the transit schema"
                f" now holds {stored}"
            )
    if STOPS in declared and not any(p.startswith(STOPS) for p in problems):
        problems += _stop_counts(conn)
    return problems


def _stop_counts(conn: Conn) -> list[str]:
    served = conn.execute(
        "SELECT 1 FROM kasane.layer_current WHERE layer_id = %s", (STOPS,)
    ).fetchone()
    if served is None:
        return []
    in_layer = conn.execute(
        sql.SQL("SELECT count(*) FROM {}").format(storage.layer_view(STOPS))
    ).fetchone()
    in_schema = conn.execute(STORED_STOPS).fetchone()
    layer_n, schema_n = int(in_layer[0]) if in_layer else 0, int(in_schema[0]) if in_schema else 0
    if layer_n == schema_n:
        return []
    return [f"{STOPS}: the layer has {layer_n} stops, the transit schema {schema_n}"]
