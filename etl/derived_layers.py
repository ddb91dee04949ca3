"""Publish layers that Kasane computes from other data, through the same versioned writer.

Transit-blank areas are computed per municipality (gis.transit.coverage); publishing one
municipality replaces its rows and keeps every other municipality's, in one new version.
"""

from __future__ import annotations

import hashlib
import json

import geopandas as gpd
import shapely
from psycopg import sql

from etl.writer import write_version
from gis.layerstore import storage
from gis.layerstore.registry import LayerRegistry
from gis.platform.db import connect
from gis.transit.coverage import coverage, to_wgs84
from gis.transit.request import TransitRequest

BLANK_LAYER = "transit_blank_areas"


def _other_municipalities(conn: storage.Conn, lg_code: str) -> gpd.GeoDataFrame | None:
    exists = conn.execute("SELECT 1 FROM kasane.layer_current WHERE layer_id = %s", (BLANK_LAYER,))
    if exists.fetchone() is None:
        return None
    rows = conn.execute(
        sql.SQL(
            "SELECT lg_code, service_date, bus_radius_m, rail_radius_m, min_departures, area_m2,"
            " population, ST_AsBinary(geom) FROM {} WHERE lg_code <> %s ORDER BY fid"
        ).format(storage.layer_view(BLANK_LAYER)),
        (lg_code,),
    ).fetchall()
    columns = ["lg_code", "service_date", "bus_radius_m", "rail_radius_m", "min_departures"]
    columns += ["area_m2", "population"]
    return gpd.GeoDataFrame(
        [dict(zip(columns, r[:-1], strict=True)) for r in rows],
        columns=columns,
        geometry=[shapely.from_wkb(bytes(r[-1])) for r in rows],
        crs="EPSG:4326",
    )


def publish_blank_areas(url: str, registry: LayerRegistry, request: TransitRequest) -> str:
    """Compute the municipality's blank areas and publish them as a new layer version."""
    spec = registry.get(BLANK_LAYER)
    with connect(url, autocommit=True) as conn:
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
        others = _other_municipalities(conn, request.lg_code)
        if others is not None and len(others):
            frame = gpd.GeoDataFrame(
                gpd.pd.concat([others, frame], ignore_index=True), crs="EPSG:4326"
            )
        parameters = json.dumps(
            {
                "lg_code": request.lg_code,
                "date": request.service_date.isoformat(),
                "bus_radius_m": request.bus_radius_m,
                "rail_radius_m": request.rail_radius_m,
                "min_departures": request.min_departures,
            },
            sort_keys=True,
        )
        source = storage.SourceFile(
            name=f"derived:transit-blank-areas:{parameters}",
            sha256=hashlib.sha256(parameters.encode()).hexdigest(),
            bytes=0,
        )
        provenance = storage.Provenance(
            files=[source], source_crs=f"EPSG:{result.epsg}", rows_read=len(frame)
        )
        version = write_version(conn, spec, frame, provenance)
    return (
        f"{BLANK_LAYER}: {len(parts)} blank areas of {request.lg_code} on "
        f"{request.service_date} ({result.blank_area_m2 / 1e6:.2f} km², "
        f"population {result.blank_population or 0:.0f}) published as version {version}"
    )
