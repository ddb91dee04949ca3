"""Publish layers that Kasane computes from other data, through the same versioned writer.

Transit-blank areas are computed per municipality (gis.transit.coverage); publishing one
municipality replaces its rows and recomputes every other municipality's (with the parameters
it was published with), in one new version: the whole layer is always a function of the feeds
stored now. A change of the feeds republishes it the same way (:func:`republish_blank_areas`).
"""

from __future__ import annotations

import hashlib
import json
from datetime import date

import geopandas as gpd
import pandas as pd
from psycopg import sql

from etl.writer import write_in_transaction
from gis.layerstore import storage
from gis.layerstore.registry import LayerRegistry
from gis.platform.db import connect
from gis.platform.errors import KasaneError
from gis.transit import derived
from gis.transit.coverage import coverage, to_wgs84
from gis.transit.request import TransitRequest

BLANK_LAYER = derived.BLANK_AREAS
_SOURCE_PREFIX = "derived:transit-blank-areas:"


def _requests_held(conn: storage.Conn) -> list[TransitRequest]:
    """The municipalities and parameters the served ``transit_blank_areas`` was computed for:
    those its version records (one source entry each, even a municipality without blank
    areas), and those of its rows (versions written before every request was recorded)."""
    row = conn.execute(
        "SELECT v.source_files FROM kasane.layer_current c"
        " JOIN kasane.layer_versions v USING (layer_id, version) WHERE c.layer_id = %s",
        (BLANK_LAYER,),
    ).fetchone()
    if row is None:
        return []
    held: dict[str, TransitRequest] = {}
    for source in row[0]:
        name = str(source["name"])
        if name.startswith(_SOURCE_PREFIX):
            p = json.loads(name.removeprefix(_SOURCE_PREFIX))
            held[p["lg_code"]] = TransitRequest(
                p["lg_code"], date.fromisoformat(p["date"]), bus_radius_m=p["bus_radius_m"],
                rail_radius_m=p["rail_radius_m"], min_departures=p["min_departures"],
            )  # fmt: skip
    rows = conn.execute(
        sql.SQL(
            "SELECT DISTINCT ON (lg_code) lg_code, service_date, bus_radius_m, rail_radius_m,"
            " min_departures FROM {} ORDER BY lg_code"
        ).format(storage.layer_view(BLANK_LAYER))
    ).fetchall()
    for r in rows:
        held.setdefault(
            str(r[0]),
            TransitRequest(
                str(r[0]),
                r[1],
                bus_radius_m=float(r[2]),
                rail_radius_m=float(r[3]),
                min_departures=int(r[4]),
            ),
        )
    return [held[code] for code in sorted(held)]


def _blank_frame(conn: storage.Conn, request: TransitRequest) -> tuple[gpd.GeoDataFrame, str]:
    """One municipality's blank areas as rows of the layer, and a line saying what they are."""
    result = coverage(conn, request)
    parts = result.blank_areas
    frame = gpd.GeoDataFrame(
        {
            "lg_code": [request.lg_code] * len(parts),
            "service_date": [request.service_date] * len(parts),
            "bus_radius_m": [request.bus_radius_m] * len(parts),
            "rail_radius_m": [request.rail_radius_m] * len(parts),
            "min_departures": [request.min_departures] * len(parts),
            "area_m2": [round(p.area_m2, 1) for p in parts],
            "population": [p.population for p in parts],
        },
        geometry=to_wgs84([p.geometry for p in parts], result.epsg),
        crs="EPSG:4326",
    )
    summary = (
        f"{len(parts)} blank areas of {request.lg_code} on {request.service_date}"
        f" ({result.blank_area_m2 / 1e6:.2f} km², population {result.blank_population or 0:.0f})"
    )
    return frame, summary


def _parameters(request: TransitRequest) -> str:
    return json.dumps(
        {
            "lg_code": request.lg_code,
            "date": request.service_date.isoformat(),
            "bus_radius_m": request.bus_radius_m,
            "rail_radius_m": request.rail_radius_m,
            "min_departures": request.min_departures,
        },
        sort_keys=True,
    )


def write_blank_areas(
    conn: storage.Conn,
    registry: LayerRegistry,
    requests: list[TransitRequest],
    explicit: TransitRequest | None = None,
) -> tuple[int, list[str]]:
    """Compute every requested municipality's blank areas from the stored feeds and publish
    them together as a new version, in ``conn``'s open transaction; (version, summaries).

    A municipality that cannot be computed any more (its boundary was replaced) is left out,
    and its summary says why, unless it is the ``explicit`` request, whose error is raised.
    """
    spec = registry.get(BLANK_LAYER)
    frames, summaries = [], []
    for request in requests:
        try:
            frame, summary = _blank_frame(conn, request)
        except KasaneError as err:
            if request is explicit:
                raise
            summaries.append(f"{request.lg_code}: left out ({err})")
            continue
        frames.append(frame)
        summaries.append(summary)
    frame = gpd.GeoDataFrame(
        pd.concat([f for f in frames if len(f)] or frames[:1], ignore_index=True)
        if frames
        else pd.DataFrame({name: [] for name in spec.field_names}),
        geometry=None if frames else gpd.GeoSeries([], crs="EPSG:4326"),
        crs="EPSG:4326",
    )
    files = [
        storage.SourceFile(
            name=f"{_SOURCE_PREFIX}{_parameters(r)}",
            sha256=hashlib.sha256(_parameters(r).encode()).hexdigest(),
            bytes=0,
        )
        for r in requests
    ]
    provenance = storage.Provenance(
        files=files,
        source_crs="EPSG:4326",
        rows_read=len(frame),
        report={derived.SOURCES_KEY: derived.feed_sources(conn)},
        demo=derived.feeds_are_demo(conn),
    )
    return write_in_transaction(conn, spec, frame, provenance), summaries


def republish_blank_areas(conn: storage.Conn, registry: LayerRegistry) -> int | None:
    """Recompute the blank areas the layer holds (same municipalities and parameters) after
    the feeds changed; None when the layer is not declared or has no version."""
    if BLANK_LAYER not in registry:
        return None
    requests = _requests_held(conn)
    if not requests:
        return None
    return write_blank_areas(conn, registry, requests)[0]


def publish_blank_areas(url: str, registry: LayerRegistry, request: TransitRequest) -> str:
    """Compute the municipality's blank areas and publish them as a new layer version (other
    municipalities' are recomputed from the same feeds, with their own parameters)."""
    with connect(url, autocommit=True) as conn, conn.transaction():
        others = [r for r in _requests_held(conn) if r.lg_code != request.lg_code]
        version, summaries = write_blank_areas(conn, registry, [*others, request], request)
    return f"{BLANK_LAYER}: {summaries[-1]} published as version {version}"
