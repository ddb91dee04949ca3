"""Residents' point questions answered from memory (gis/residents/area_index.py,
gis/residents/shelter_index.py,
webmap/residents/point_lookup.py): the same answers as PostGIS and as pyproj on the raw rows, used
only for the served version and the current statuses, never when the budget is 0."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from flask import Flask

from etl.writer import write_version
from gis.layerstore import storage
from gis.layerstore.served_versions import Served
from gis.platform.db import connect
from gis.residents import hazards, shelters
from gis.residents.area_index import AreaIndex
from gis.residents.hazards import LonLat
from gis.residents.shelter_index import ShelterIndex
from tests.residents.helpers import bearer, demo_frames, shelter_of
from webmap import served_versions as served
from webmap.residents import point_lookup as memory

pytestmark = pytest.mark.usefixtures("demo_loaded")
HAZARD_CHOICES = (None, "flood", "landslide", "tsunami")


def _points(k: int = 40, seed: int = 3) -> list[tuple[float, float]]:
    """Inside zones (representative points and exact vertices) and anywhere in the area."""
    frames = demo_frames()
    rng = np.random.default_rng(seed)
    points = []
    for name in ("flood_depth", "landslide_zones"):
        frame = frames[name]
        for i in rng.choice(len(frame), size=k // 4, replace=False):
            geom = frame.geometry.iloc[int(i)]
            inner = geom.representative_point()
            points.append((inner.x, inner.y))
            first = geom.geoms[0] if hasattr(geom, "geoms") else geom
            points.append(first.exterior.coords[0])  # on the boundary: inside for both
    points += [(rng.uniform(131.35, 131.65), rng.uniform(34.02, 34.24)) for _ in range(k)]
    return points


def _area_indexes(database_url: str, registry: Any) -> dict[str, AreaIndex]:
    with connect(database_url) as conn:
        versions = storage.current_versions(conn)
        asked = hazards.layers_asked(registry, hazards.loaded_layers(conn))
        return {
            spec.id: AreaIndex.build(conn, spec.id, versions[spec.id], tuple(spec.field_names))
            for spec in asked
        }


def test_hazards_from_memory_equal_postgis(database_url, registry) -> None:
    held = _area_indexes(database_url, registry)
    assert {"flood_depth", "landslide_zones", "admin_boundaries"} <= set(held)

    def from_memory(specs: list[Any], point: LonLat) -> dict[str, list[Any]]:
        return {spec.id: held[spec.id].features_at(point.lon, point.lat) for spec in specs}

    inside = 0
    with connect(database_url) as conn:
        loaded = hazards.loaded_layers(conn)
        in_database = hazards.features_in_database(conn)
        for lon, lat in _points():
            point = LonLat(lon=lon, lat=lat)
            got = hazards.hazards_at(from_memory, registry, point, loaded)
            assert got == hazards.hazards_at(in_database, registry, point, loaded)
            inside += any(h["inside"] for h in got["hazards"])
    assert inside >= 20  # the comparison covered places inside zones, not only outside


@pytest.fixture()
def some_open(client, staff_tokens) -> list[str]:
    """A few demo shelters opened through the API."""
    opened = [shelter_of("352039", i)["shelter_id"] for i in (4, 11, 30)]
    opened += [shelter_of("352063", i)["shelter_id"] for i in (3, 7)]
    for sid in opened:
        r = client.put(
            f"/api/shelters/{sid}/status",
            json={"status": "open"},
            headers=bearer(staff_tokens["pref_admin"]),
        )
        assert r.status_code == 200
    return opened


def test_nearest_from_memory_equal_postgis(database_url, some_open) -> None:
    with connect(database_url) as conn:
        version = storage.current_versions(conn)["shelters"]
        index = ShelterIndex.build(conn, version, shelters.NEAREST_COLUMNS, tuple(shelters.HAZARDS))
        statuses = index.read_statuses(conn, epoch=1)
        assert np.count_nonzero(statuses.open_mask) >= len(some_open)
        in_database = shelters.nearest_in_database(conn)
        for lon, lat in _points(16, seed=9):
            for hazard in HAZARD_CHOICES:
                for open_only, n in ((False, 1), (False, 7), (True, 3), (False, 50)):
                    query = shelters.NearestQuery(LonLat(lon=lon, lat=lat), hazard, open_only, n)
                    want = in_database(query)
                    got = index.nearest_rows(statuses, lon, lat, hazard, open_only, n)
                    assert [r[0] for r in got] == [r[0] for r in want]
                    for g, w in zip(got, want, strict=True):
                        assert g[-3] == pytest.approx(w[-3], abs=1e-3)  # metres
                        assert g[:-4] == w[:-4] and g[-2:] == w[-2:]  # attributes, status


def _wait_for_memory(app: Flask, client: Any, lon: float, lat: float) -> None:
    """Ask once (which queues the builds) and wait until every index is held."""
    client.get(f"/api/hazards/at?lat={lat}&lon={lon}")
    client.get(f"/api/shelters/nearest?lat={lat}&lon={lon}")
    with app.test_request_context():
        held = memory.indexes()
        specs = hazards.layers_asked(app.extensions["kasane.registry"], memory.loaded())
        for _ in range(300):
            state = served.live_state() or {}
            ready = (
                [held.shelters(state["shelters"], shelters.NEAREST_COLUMNS)]
                + [held.area(s.id, state[s.id], tuple(s.field_names)) for s in specs]
                if state
                else [None]
            )
            if all(index is not None for index in ready):
                return
            time.sleep(0.1)
    raise AssertionError("the point indexes were not built within 30 s")


@pytest.fixture()
def counted_connections(monkeypatch) -> Iterator[list[int]]:
    """How many pooled connections the residents' API takes (it still gets real ones)."""
    taken: list[int] = []
    real = memory.db.connection

    def counting():  # type: ignore[no-untyped-def]
        taken.append(1)
        return real()

    monkeypatch.setattr(memory.db, "connection", counting)
    yield taken


def _as_json(value: Any) -> Any:
    return json.loads(json.dumps(value, default=lambda d: d.isoformat()))


def test_the_api_answers_from_memory_without_the_database(
    app, database_url, registry, some_open, counted_connections
) -> None:
    client = app.test_client()
    points = _points(12, seed=21)
    _wait_for_memory(app, client, *points[0])
    client.get(f"/api/shelters/nearest?lat={points[0][1]}&lon={points[0][0]}&open=true")
    counted_connections.clear()  # the status snapshot has been read
    with connect(database_url) as conn:
        loaded = hazards.loaded_layers(conn)
        for lon, lat in points:
            body = client.get(f"/api/hazards/at?lat={lat}&lon={lon}").get_json()
            want = hazards.hazards_at(
                hazards.features_in_database(conn), registry, LonLat(lon=lon, lat=lat), loaded
            )
            assert body == _as_json(want)
            url = f"/api/shelters/nearest?lat={lat}&lon={lon}&hazard=flood&open=true&n=3"
            query = shelters.NearestQuery(LonLat(lon=lon, lat=lat), "flood", True, 3)
            want = shelters.nearest(shelters.nearest_in_database(conn), registry, query, loaded)
            assert client.get(url).get_json() == _as_json(want)
    assert counted_connections == []  # every answer came from memory


def test_a_status_change_reaches_answers_from_memory(app, staff_tokens) -> None:
    client = app.test_client()
    sid = shelter_of("352039", 52)["shelter_id"]
    frame = demo_frames()["shelters"]
    lon, lat = frame[frame.shelter_id == sid].geometry.iloc[0].coords[0]
    _wait_for_memory(app, client, lon, lat)
    url = f"/api/shelters/nearest?lat={lat + 0.00002:.6f}&lon={lon:.6f}&n=1&open=true"
    for status, is_first in (("open", True), ("closed", False), ("open", True)):
        r = client.put(
            f"/api/shelters/{sid}/status",
            json={"status": status},
            headers=bearer(staff_tokens["pref_admin"]),
        )
        assert r.status_code == 200
        first = client.get(url).get_json()["shelters"]
        assert (bool(first) and first[0]["shelter_id"] == sid) is is_first


def test_a_new_version_is_answered_at_once_not_from_the_old_index(
    app, database_url, registry
) -> None:
    client = app.test_client()
    zones = demo_frames()["landslide_zones"]
    inner = zones.geometry.iloc[0].representative_point()
    _wait_for_memory(app, client, inner.x, inner.y)
    url = f"/api/hazards/at?lat={inner.y}&lon={inner.x}"
    slide = next(h for h in client.get(url).get_json()["hazards"] if h["kind"] == "landslide_zone")
    assert slide["inside"]
    with connect(database_url, autocommit=True) as conn:
        before = storage.current_versions(conn)["landslide_zones"]
        without = zones[~zones.intersects(inner)]
        write_version(conn, registry.get("landslide_zones"), without, storage.Provenance())
    try:
        deadline = time.monotonic() + 5
        while True:  # the listener hears of the load within moments; never an old answer after
            hazards_now = client.get(url).get_json()["hazards"]
            slide = next(h for h in hazards_now if h["kind"] == "landslide_zone")
            if not slide["inside"] or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert not slide["inside"]
    finally:
        with connect(database_url, autocommit=True) as conn:
            storage.rollback(conn, "landslide_zones", before)


def test_no_memory_is_used_with_a_budget_of_zero(settings, database_url, registry) -> None:
    from webmap import close, create_app

    app = create_app(settings.model_copy(update={"point_index_mb": 0}))
    try:
        client = app.test_client()
        lon, lat = _points(4, seed=5)[0]
        body = client.get(f"/api/hazards/at?lat={lat}&lon={lon}").get_json()
        assert client.get(f"/api/shelters/nearest?lat={lat}&lon={lon}").status_code == 200
        with app.test_request_context():
            held = memory.indexes()
            assert not held.enabled
            assert held.shelters(Served(1, 0, None), shelters.NEAREST_COLUMNS) is None
        with connect(database_url) as conn:
            loaded = hazards.loaded_layers(conn)
            find = hazards.features_in_database(conn)
            want = hazards.hazards_at(find, registry, LonLat(lon=lon, lat=lat), loaded)
        assert body == _as_json(want)
    finally:
        close(app)
