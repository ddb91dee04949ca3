"""Load the generated demo data (``etl.demo_data``) into every layer that has some."""

from __future__ import annotations

import hashlib
import tempfile
from datetime import date
from pathlib import Path
from typing import cast

import geopandas as gpd
import pandas as pd

from etl.writer import write_version
from gis.layerstore import storage
from gis.layerstore.layerspec import LayerSpec
from gis.layerstore.registry import LayerRegistry
from gis.platform.db import connect

FILE_LAYERS = ("addresses",)  # demo data written as files in the real format, then loaded


def frame_digest(frame: gpd.GeoDataFrame) -> str:
    """sha256 of a frame's content (attributes and WKB), to skip reloading identical data."""
    digest = hashlib.sha256()
    digest.update(pd.util.hash_pandas_object(frame.drop(columns="geometry"), index=False).values)
    for wkb in frame.geometry.to_wkb():
        digest.update(wkb)
    return digest.hexdigest()


def _served_digests(conn: storage.Conn, layer_id: str) -> set[str]:
    row = conn.execute(
        "SELECT v.source_files FROM kasane.layer_current c"
        " JOIN kasane.layer_versions v USING (layer_id, version) WHERE c.layer_id = %s",
        (layer_id,),
    ).fetchone()
    return {str(f["sha256"]) for f in row[0]} if row else set()


def load_demo_feeds(conn: storage.Conn) -> dict[str, str]:
    """Store the demo GTFS-JP feeds in the ``transit`` schema (timetables for the transit
    planner) unless the same feed is stored; the transit layers come from the demo frames."""
    from etl.demo_data.gtfs_feeds import demo_feeds
    from etl.gtfs import store_feed

    outcome: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="kasane-demo-gtfs-") as scratch:
        for feed_id, data in demo_feeds().items():
            digest = hashlib.sha256(data).hexdigest()
            row = conn.execute(
                "SELECT sha256 FROM transit.feeds WHERE feed_id = %s", (feed_id,)
            ).fetchone()
            if row and row[0] == digest:
                outcome[f"gtfs:{feed_id}"] = "unchanged"
                continue
            path = Path(scratch) / f"{feed_id}.zip"
            path.write_bytes(data)
            report = store_feed(conn, feed_id, path, digest)
            outcome[f"gtfs:{feed_id}"] = f"stored {report.counts.get('trips', 0)} trips"
    return outcome


def load_demo_files(url: str, spec: LayerSpec) -> str:
    """Load a layer whose demo data are files in their real format (the 位置参照情報 zips of
    :mod:`etl.demo_data.addresses`) through ``kasane load``'s own path; says what it did."""
    from etl.demo_data.addresses import demo_address_files
    from etl.load import LoadOptions, load

    with tempfile.TemporaryDirectory(prefix="kasane-demo-files-") as scratch:
        paths = []
        for name, data in demo_address_files().items():
            path = Path(scratch) / name
            path.write_bytes(data)
            paths.append(path)
        report = load(url, spec, paths, LoadOptions(scratch=Path(scratch)))
    return report.outcome


def load_demo(url: str, registry: LayerRegistry) -> dict[str, str]:
    """Load each layer's demo frame unless the same data is already served, and the demo GTFS
    feeds; says what it did."""
    from etl.demo_data import demo_layers

    frames = demo_layers(registry)
    outcome: dict[str, str] = {}
    with connect(url, autocommit=True) as conn:
        for spec in registry:
            frame = frames.get(spec.id)
            if spec.id in FILE_LAYERS:
                outcome[spec.id] = load_demo_files(url, spec)
                continue
            if frame is None:
                outcome[spec.id] = "no demo data"
                continue
            digest = frame_digest(frame)
            if digest in _served_digests(conn, spec.id):
                outcome[spec.id] = "unchanged"
                continue
            source = storage.SourceFile(name=f"demo:{spec.id}", sha256=digest, bytes=0)
            provenance = storage.Provenance(
                files=[source], source_crs="EPSG:4326", rows_read=len(frame)
            )
            version = write_version(conn, spec, frame, provenance)
            outcome[spec.id] = f"loaded {len(frame)} features as version {version}"
        outcome.update(load_demo_feeds(conn))
    return outcome


DRILL_USER = "kasane-demo-drill"
DRILL_ORG = ("350001", "山口県")  # the demo prefecture's own code (check digit included)
DRILL_CROWDING = ("vacant", "vacant", "crowded", "full")


def open_drill_shelters(url: str, every: int = 4) -> int:
    """Open every ``every``-th demo shelter as a drill (CAP ``Exercise``) so the hazard map has
    open shelters to show; returns how many. Does nothing once any shelter has a status, so a
    second ``kasane demo`` keeps what was changed since. The changes are made, as the API's
    would be, by an admin user ``kasane-demo-drill`` of the prefecture (created without a
    usable token)."""
    from gis.platform import auth
    from gis.residents.shelter_status import StatusChange, set_status

    with connect(url) as conn:
        if conn.execute("SELECT 1 FROM kasane.shelter_status LIMIT 1").fetchone():
            return 0
        find = "SELECT id FROM kasane.users WHERE name = %s AND revoked_at IS NULL"
        row = conn.execute(find, (DRILL_USER,)).fetchone()
        if row is None:
            auth.add_user(conn, DRILL_USER, DRILL_ORG[0], auth.Role.ADMIN, org_name=DRILL_ORG[1])
            row = conn.execute(find, (DRILL_USER,)).fetchone()
        assert row is not None
        drill = auth.Principal(cast(int, row[0]), DRILL_USER, DRILL_ORG[0], auth.Role.ADMIN)
        rows = conn.execute("SELECT shelter_id FROM layer_data.shelters ORDER BY fid").fetchall()
        chosen = [str(r[0]) for r in rows][::every]
        for n, shelter_id in enumerate(chosen):
            change = StatusChange(
                status="open",
                crowding=DRILL_CROWDING[n % len(DRILL_CROWDING)],
                note="デモの訓練 / demo drill",
                distribution="Exercise",
            )
            set_status(conn, drill, shelter_id, change)
        conn.commit()
    return len(chosen)


BLANK_AREA_DATE = date(2025, 6, 3)  # a Tuesday inside the demo feeds' calendar


def publish_demo_blank_areas(url: str, registry: LayerRegistry) -> list[str]:
    """Publish the derived ``transit_blank_areas`` layer for every demo municipality (weekday
    service of the demo feeds, default radii) unless the layer already has a version."""
    from etl.demo_data.places import MUNICIPALITIES
    from etl.derived_layers import BLANK_LAYER, publish_blank_areas
    from gis.transit.request import TransitRequest

    if BLANK_LAYER not in registry:
        return []
    with connect(url) as conn:
        if (
            _served_digests(conn, BLANK_LAYER)
            or not conn.execute("SELECT 1 FROM transit.feeds LIMIT 1").fetchone()
        ):
            return []
    return [
        publish_blank_areas(url, registry, TransitRequest(muni.code, BLANK_AREA_DATE))
        for muni in MUNICIPALITIES
    ]
