"""``kasane load transit FEED.zip…``: store GTFS feeds, then republish the transit layers.

``transit_stops`` and ``transit_routes`` are rebuilt from every feed in the ``transit`` schema
after each change. Route lines come from ``shapes.txt`` where a route's trips have shapes, and
otherwise from the stop sequences of its trips (one line per distinct stop pattern).
"""

from __future__ import annotations

import re
import zipfile
import zlib
from datetime import date
from pathlib import Path

import geopandas as gpd
import psycopg
import shapely

from etl.gtfs import store_feed
from etl.inputs import expand
from etl.load import LoadOptions, Progress
from etl.report import FileReport, LoadReport, reject_file
from etl.sniff import sniff
from etl.writer import write_in_transaction
from gis.layerstore import storage
from gis.layerstore.registry import LayerRegistry
from gis.platform.db import connect
from gis.platform.errors import LoadError, NotFound
from gis.transit import derived
from gis.transit.periods import feed_periods

STOPS_SQL = """
SELECT feed_id, stop_id, stop_name AS name,
       (SELECT t.translation FROM transit.translations t
         WHERE t.feed_id = s.feed_id AND t.language = 'en'
           AND ((t.table_name = 'stops' AND t.field_name = 'stop_name'
                 AND (t.record_id = s.stop_id OR t.field_value = s.stop_name))
                OR (t.table_name IS NULL AND t.trans_id = s.stop_name))
         LIMIT 1) AS name_en,
       NULL::text AS lg_code, coalesce(location_type, 0) AS location_type,
       NULL::integer AS departures_per_day,
       ST_AsBinary(ST_MakePoint(stop_lon, stop_lat)) AS wkb
FROM transit.stops s WHERE stop_lat IS NOT NULL AND stop_lon IS NOT NULL
ORDER BY feed_id, stop_id
"""

ROUTES_SQL = """
WITH shape_lines AS (
    SELECT feed_id, shape_id,
           ST_MakeLine(ST_MakePoint(shape_pt_lon, shape_pt_lat) ORDER BY shape_pt_sequence) AS g
    FROM transit.shapes GROUP BY feed_id, shape_id
), from_shapes AS (
    SELECT t.feed_id, t.route_id, ST_Collect(l.g) AS g
    FROM (SELECT DISTINCT feed_id, route_id, shape_id FROM transit.trips
          WHERE shape_id IS NOT NULL) t
    JOIN shape_lines l USING (feed_id, shape_id)
    GROUP BY t.feed_id, t.route_id
), patterns AS (
    SELECT st.feed_id, st.trip_id,
           ST_MakeLine(ST_MakePoint(s.stop_lon, s.stop_lat) ORDER BY st.stop_sequence) AS g
    FROM transit.stop_times st JOIN transit.stops s USING (feed_id, stop_id)
    WHERE NOT EXISTS (SELECT 1 FROM from_shapes f JOIN transit.trips t2
                      ON t2.feed_id = f.feed_id AND t2.route_id = f.route_id
                      WHERE t2.feed_id = st.feed_id AND t2.trip_id = st.trip_id)
    GROUP BY st.feed_id, st.trip_id
), from_stops AS (
    SELECT feed_id, route_id, ST_Collect(g) AS g FROM (
        SELECT DISTINCT ON (p.feed_id, t.route_id, ST_AsBinary(p.g)) p.feed_id, t.route_id, p.g
        FROM patterns p JOIN transit.trips t USING (feed_id, trip_id)
        WHERE ST_NPoints(p.g) >= 2) d
    GROUP BY feed_id, route_id
)
SELECT r.feed_id, r.route_id, a.agency_name, r.route_short_name, r.route_long_name,
       r.route_type, r.route_color, ST_AsBinary(ST_Multi(coalesce(fs.g, fp.g))) AS wkb
FROM transit.routes r
LEFT JOIN transit.agency a ON a.feed_id = r.feed_id
     AND a.agency_id = coalesce(r.agency_id, a.agency_id)
LEFT JOIN from_shapes fs ON fs.feed_id = r.feed_id AND fs.route_id = r.route_id
LEFT JOIN from_stops fp ON fp.feed_id = r.feed_id AND fp.route_id = r.route_id
WHERE coalesce(fs.g, fp.g) IS NOT NULL
ORDER BY r.feed_id, r.route_id
"""


ANALYZE_FEEDS = (
    "ANALYZE transit.stops, transit.routes, transit.trips, transit.stop_times, transit.shapes,"
    " transit.agency, transit.translations, transit.calendar, transit.calendar_dates"
)


def feed_id_for(path: Path) -> str:
    """A feed id from the file name: ``352080_gtfs-jp.zip`` -> ``352080_gtfs-jp``."""
    return re.sub(r"[^\w.-]+", "_", path.stem).strip("_") or "feed"


def _frame(conn: storage.Conn, query: str, names: list[str]) -> gpd.GeoDataFrame:
    rows = conn.execute(query).fetchall()
    data = {n: [r[i] for r in rows] for i, n in enumerate(names)}
    geoms = [shapely.from_wkb(bytes(r[-1])) for r in rows]
    return gpd.GeoDataFrame(data, geometry=geoms, crs="EPSG:4326")


def publish_layers(conn: storage.Conn, registry: LayerRegistry) -> dict[str, int]:
    """Rebuild the derived transit layers from every stored feed, in ``conn``'s open
    transaction (the one that changed the feeds); returns their new versions.

    ``transit_stops`` and ``transit_routes`` always; ``transit_blank_areas`` when it has a
    version, for the municipalities and parameters it holds. Each version records the feeds it
    was built from (:mod:`gis.transit.derived`), and is demo data when every feed is.
    """
    from etl.derived_layers import republish_blank_areas

    # the feeds' rows are not committed yet, so autovacuum has no statistics of them: without
    # these the planner takes the tables for as small as before the load
    conn.execute(ANALYZE_FEEDS)
    sources = [
        storage.SourceFile(str(r[0]), str(r[1]), 0)
        for r in conn.execute("SELECT file_name, sha256 FROM transit.feeds ORDER BY feed_id")
    ]
    record = {derived.SOURCES_KEY: derived.feed_sources(conn)}
    demo = derived.feeds_are_demo(conn)
    versions = {}
    stops = registry.get(derived.STOPS)
    routes = registry.get(derived.ROUTES)
    frames = {
        stops.id: _frame(conn, STOPS_SQL, stops.field_names),
        routes.id: _frame(conn, ROUTES_SQL, routes.field_names),
    }
    for spec in (stops, routes):
        frame = frames[spec.id]
        provenance = storage.Provenance(files=sources, source_crs="EPSG:4326",
                                        source_encoding="utf-8", rows_read=len(frame),
                                        report=dict(record), demo=demo)  # fmt: skip
        versions[spec.id] = write_in_transaction(conn, spec, frame, provenance)
    blank = republish_blank_areas(conn, registry)
    if blank is not None:
        versions[derived.BLANK_AREAS] = blank
    return versions


def _period_warnings(conn: storage.Conn, feed_id: str) -> list[str]:
    """A warning when the feed's service period does not include today (read inside the
    feed's transaction, so also in a dry run)."""
    found = feed_periods(conn, feed_id)
    if not found:
        return []
    period, today = found[0], date.today()
    status = period.status(today)
    if status == "unknown":
        return [f"feed {feed_id} has no service dates (calendar.txt, calendar_dates.txt)"]
    if status == "current":
        return []
    where = "ended" if status == "expired" else "has not started"
    return [
        f"feed {feed_id}: service period {period.first} to {period.last} {where} (today is"
        f" {today}); the transit page opens on a day inside it and says so"
    ]


def load_feeds(
    url: str, registry: LayerRegistry, paths: list[Path], options: LoadOptions,
    progress: Progress | None = None,
) -> LoadReport:  # fmt: skip
    """Store each GTFS zip as its own feed (replacing a feed of the same id), and republish
    the derived layers, all in one transaction (a dry run rolls each feed back)."""
    report = LoadReport("transit", dry_run=options.dry_run)
    inputs = expand(paths)
    changed = False
    with connect(url, autocommit=True) as conn, conn.transaction():
        for n, item in enumerate(inputs):
            if progress:
                progress(n, len(inputs), item.name)
            file_report = FileReport(item.name, item.sha256, item.bytes, format="gtfs")
            report.files.append(file_report)
            feed_id = options.values.get("feed_id") or feed_id_for(item.path)
            found = sniff(item.path)
            if found.format != "gtfs":
                file_report.error = f"not a GTFS feed: {found.detail}"
                continue
            row = conn.execute(
                "SELECT sha256 FROM transit.feeds WHERE feed_id = %s", (feed_id,)
            ).fetchone()
            if row and row[0] == item.sha256 and not options.force and not options.dry_run:
                file_report.add(None, None, f"feed {feed_id} unchanged (same sha256)", "warning")
                continue
            try:  # a savepoint: a bad feed is rolled back alone
                with conn.transaction(force_rollback=options.dry_run):
                    feed = store_feed(conn, feed_id, item.path, item.sha256)
                    feed.warnings += _period_warnings(conn, feed_id)
            except LoadError as err:
                file_report.error = str(err)
                continue
            except psycopg.errors.IntegrityError as err:  # e.g. a stop_id given twice
                detail = err.diag.message_detail or ""
                file_report.error = f"breaks a GTFS rule: {err.diag.message_primary} {detail}"
                continue
            except (zipfile.BadZipFile, zlib.error, EOFError) as err:
                file_report.error = f"a damaged zip archive ({err})"
                continue
            except Exception as err:  # a library's surprise or a bug: this feed only
                reject_file(file_report, err)
                continue
            changed = changed or not options.dry_run
            file_report.rows_read = file_report.rows_loaded = sum(feed.counts.values())
            file_report.encoding = "utf-8"
            for warning in feed.warnings:
                file_report.add(None, None, warning, "warning")
            counts = ", ".join(f"{k} {v}" for k, v in feed.counts.items())
            file_report.add(None, None, f"feed {feed_id}: {counts}", "warning")
        if progress:
            progress(len(inputs), len(inputs), "")
        if changed:
            versions = publish_layers(conn, registry)
            report.outcome = "feeds stored; " + ", ".join(f"{k} v{v}" for k, v in versions.items())
        elif options.dry_run:
            report.outcome = "dry run: feeds checked and rolled back; nothing changed"
        else:
            report.outcome = (
                "unchanged" if any(f.issues for f in report.files) else "nothing to load"
            )
    return report


def remove_feeds(conn: storage.Conn, registry: LayerRegistry, feed_ids: list[str]) -> list[str]:
    """Remove stored feeds and republish the derived layers, in ``conn``'s open transaction;
    returns one line per feed removed ("id: N stops"). An unknown id is an error."""
    removed = []
    for feed_id in feed_ids:
        row = conn.execute(
            "SELECT count(s.stop_id) FROM transit.feeds f LEFT JOIN transit.stops s"
            " USING (feed_id) WHERE f.feed_id = %s GROUP BY f.feed_id",
            (feed_id,),
        ).fetchone()
        if row is None:
            raise NotFound(f"no stored GTFS feed {feed_id!r} (kasane transit feeds lists them)")
        conn.execute("DELETE FROM transit.feeds WHERE feed_id = %s", (feed_id,))
        removed.append(f"{feed_id}: {row[0]} stops")
    if removed:
        publish_layers(conn, registry)
    return removed
