"""``kasane demo``: the generated demo data (``etl.demo_data``) in a database that holds
nothing else.

Every version and GTFS feed the demo writes is marked as demo data (``demo`` columns); data
from anywhere else is the user's, and the demo never replaces it unless asked to
(``kasane demo --reset``). Layers derived from the transit schema are built from the demo
feeds exactly as from a user's (:func:`etl.gtfs_load.publish_layers`). The steps, one function
each: :func:`user_data` (is anything not demo data?), ``_load_layers`` (generated frames),
``_load_transit`` (feeds, derived layers), :func:`open_drill_shelters`.
"""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import cast

import geopandas as gpd
import pandas as pd

from etl.derived_layers import BLANK_LAYER, write_blank_areas
from etl.writer import write_version
from gis.layerstore import storage
from gis.layerstore.layerspec import LayerSpec
from gis.layerstore.registry import LayerRegistry
from gis.platform.db import connect
from gis.transit import derived
from gis.transit.derived import DERIVED_LAYERS
from gis.transit.request import TransitRequest

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


def user_data(conn: storage.Conn) -> list[str]:
    """One line for each layer served from data that did not come from the demo (derived
    layers aside: their feeds are listed), and for each such GTFS feed; empty when the
    database holds only demo data, or nothing."""
    rows = conn.execute(
        "SELECT c.layer_id, c.version, v.rows_loaded, v.source_files FROM kasane.layer_current c"
        " JOIN kasane.layer_versions v USING (layer_id, version)"
        " WHERE NOT v.demo AND NOT c.layer_id = ANY(%s) ORDER BY c.layer_id",
        (list(DERIVED_LAYERS),),
    ).fetchall()
    found = [f"layer {r[0]}: version {r[1]}, {r[2]} features from {_names(r[3])}" for r in rows]
    feeds = conn.execute(
        "SELECT f.feed_id, f.file_name, count(s.stop_id) FROM transit.feeds f"
        " LEFT JOIN transit.stops s USING (feed_id) WHERE NOT f.demo"
        " GROUP BY f.feed_id, f.file_name ORDER BY f.feed_id"
    ).fetchall()
    found += [f"GTFS feed {r[0]} ({r[1]}): {r[2]} stops" for r in feeds]
    return found


def _names(files: list[dict[str, object]]) -> str:
    names = [str(f["name"]) for f in files]
    return ", ".join(names[:3]) + (f" and {len(names) - 3} more files" if len(names) > 3 else "")


def load_demo_feeds(conn: storage.Conn) -> dict[str, str]:
    """Store the demo GTFS-JP feeds in the ``transit`` schema (marked as demo data) unless the
    same feed is stored; the caller republishes the derived layers."""
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
            conn.execute("UPDATE transit.feeds SET demo = true WHERE feed_id = %s", (feed_id,))
            outcome[f"gtfs:{feed_id}"] = f"stored {report.counts.get('trips', 0)} trips"
    return outcome


def load_demo_files(url: str, spec: LayerSpec) -> str:
    """Load a layer whose demo data are files in their real format (the 位置参照情報 zips of
    :mod:`etl.demo_data.addresses`) through ``kasane load``'s own path, then mark the version
    as demo data; says what it did."""
    from etl.load import LoadOptions, load

    with tempfile.TemporaryDirectory(prefix="kasane-demo-files-") as scratch:
        paths = []
        for name, data in _demo_files(spec.id).items():
            path = Path(scratch) / name
            path.write_bytes(data)
            paths.append(path)
        report = load(url, spec, paths, LoadOptions(scratch=Path(scratch)))
    with connect(url) as conn:
        _mark_demo_files(conn, spec.id)
        conn.commit()
    return report.outcome


def _demo_files(layer_id: str) -> dict[str, bytes]:
    from etl.demo_data.addresses import demo_address_files

    return demo_address_files() if layer_id == "addresses" else {}


def _mark_demo_files(conn: storage.Conn, layer_id: str) -> None:
    """Mark the served version of a file-loaded demo layer as demo data when every file it
    was loaded from is one of the demo's (by content)."""
    digests = [hashlib.sha256(data).hexdigest() for data in _demo_files(layer_id).values()]
    conn.execute(
        "UPDATE kasane.layer_versions v SET demo = true FROM kasane.layer_current c"
        " WHERE c.layer_id = v.layer_id AND c.version = v.version AND v.layer_id = %s"
        " AND NOT v.demo AND jsonb_array_length(v.source_files) > 0 AND NOT EXISTS"
        " (SELECT 1 FROM jsonb_array_elements(v.source_files) f"
        "  WHERE NOT (f ->> 'sha256') = ANY(%s))",
        (layer_id, digests),
    )


@dataclass
class DemoReport:
    """What ``kasane demo`` did: ``kept`` lists the user's data it left alone (then nothing
    was loaded), ``replaced`` the user's data that ``--reset`` replaced, ``outcome`` one line
    per layer or feed."""

    kept: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    outcome: dict[str, str] = field(default_factory=dict)


def load_demo(url: str, registry: LayerRegistry, *, reset: bool = False) -> DemoReport:
    """Load the demo data into a database that holds only demo data, or nothing: each
    layer's demo frame unless the same data is served, then the demo GTFS feeds and the
    layers derived from them. A database holding anything else is left as it is (``kept``),
    unless ``reset``: then the demo data replaces it (the user's versions stay in the history,
    see :func:`gis.layerstore.storage.prune`, and the user's GTFS feeds are removed)."""
    report = DemoReport()
    with connect(url, autocommit=True) as conn:
        for layer_id in FILE_LAYERS:  # loaded by `kasane load` before versions said "demo"
            if layer_id in registry:
                _mark_demo_files(conn, layer_id)
        found = user_data(conn)
        if found and not reset:
            report.kept = found
            return report
        report.replaced = found
        report.outcome = _load_layers(url, conn, registry)
        report.outcome.update(_load_transit(conn, registry, reset=reset))
    return report


def _load_layers(url: str, conn: storage.Conn, registry: LayerRegistry) -> dict[str, str]:
    """Each layer's demo frame (derived layers aside), as a demo version, unless served."""
    from etl.demo_data import demo_layers

    frames = demo_layers(registry)
    outcome: dict[str, str] = {}
    for spec in registry:
        frame = frames.get(spec.id)
        if spec.id in DERIVED_LAYERS:
            continue  # built from the demo feeds below, like from any feed
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
            files=[source], source_crs="EPSG:4326", rows_read=len(frame), demo=True
        )
        version = write_version(conn, spec, frame, provenance)
        outcome[spec.id] = f"loaded {len(frame)} features as version {version}"
    return outcome


def _load_transit(conn: storage.Conn, registry: LayerRegistry, *, reset: bool) -> dict[str, str]:
    """The demo feeds (and, with ``reset``, no other feed), then the derived layers rebuilt
    from the transit schema, in one transaction."""
    from etl.gtfs_load import publish_layers

    outcome: dict[str, str] = {}
    with conn.transaction():
        removed = []
        if reset:
            rows = conn.execute("SELECT feed_id FROM transit.feeds WHERE NOT demo").fetchall()
            removed = [str(r[0]) for r in rows]
            for feed_id in removed:
                conn.execute("DELETE FROM transit.feeds WHERE feed_id = %s", (feed_id,))
                outcome[f"gtfs:{feed_id}"] = "removed"
        stored = load_demo_feeds(conn)
        outcome.update(stored)
        changed = removed or any(v != "unchanged" for v in stored.values())
        declared = tuple(layer for layer in derived.DERIVED_LAYERS if layer in registry)
        if changed or derived.check_derived(conn, declared):
            for layer_id, version in publish_layers(conn, registry).items():
                outcome[layer_id] = f"built from the transit schema as version {version}"
        if BLANK_LAYER in registry and (reset or not _served_digests(conn, BLANK_LAYER)):
            version, summaries = write_blank_areas(conn, registry, demo_blank_requests())
            outcome[BLANK_LAYER] = f"version {version}: " + "; ".join(summaries)
    return outcome


def _serves_demo(conn: storage.Conn, layer_id: str) -> bool:
    row = conn.execute(
        "SELECT v.demo FROM kasane.layer_current c"
        " JOIN kasane.layer_versions v USING (layer_id, version) WHERE c.layer_id = %s",
        (layer_id,),
    ).fetchone()
    return bool(row and row[0])


DRILL_USER = "kasane-demo-drill"
DRILL_ORG = ("350001", "山口県")  # the demo prefecture's own code (check digit included)
DEMO_TARGETS = "2019:62,2022:40"  # the demo prefecture's dead-zone plan (KASANE_DEADZONE_TARGETS)
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
        if not _serves_demo(conn, "shelters"):
            return 0  # never open a user's real shelters as a drill
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


def demo_blank_requests() -> list[TransitRequest]:
    """Weekday service of the demo feeds, default radii, in every demo municipality."""
    from etl.demo_data.places import MUNICIPALITIES

    return [TransitRequest(muni.code, BLANK_AREA_DATE) for muni in MUNICIPALITIES]
