"""Draft routes: the gain of a known line against geopandas; saving, listing, exporting and
deleting per organisation with Bearer tokens."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import shapely

from gis.platform import auth
from gis.platform.db import connect
from gis.platform.settings import load_settings
from tests.transit import expected as ex
from tests.transit.conftest import IWAKUNI
from tests.transit.raw_feed import read

pytestmark = pytest.mark.shared
DAY = date(2025, 6, 4)
ARGS = f"municipality={IWAKUNI}&date={DAY.isoformat()}"


@pytest.fixture(scope="module")
def client(transit_url: str) -> Any:
    from webmap import close, create_app

    app = create_app(load_settings(database_url=transit_url))
    yield app.test_client()
    close(app)


@pytest.fixture(scope="module")
def tokens(transit_url: str) -> dict[str, str]:
    with connect(transit_url) as conn:
        made = {
            "editor": auth.add_user(conn, "iwakuni-planner", IWAKUNI, auth.Role.EDITOR),
            "viewer": auth.add_user(conn, "iwakuni-viewer", IWAKUNI, auth.Role.VIEWER),
            "other": auth.add_user(conn, "hofu-planner", "352063", auth.Role.EDITOR),
        }
        conn.commit()
    return made


def _blank_line(feed: Path, n03: Path, mesh_csv: Path) -> tuple[shapely.Point, shapely.Point]:
    """Two points 400 m apart in a populated cell far (> 1.5 km) from any served stop."""
    town = ex.boundary(n03, "35208")
    stops = ex.served_stops(feed, DAY, 1).union_all()
    cells = ex.mesh(mesh_csv)
    for cell in cells.sort_values("population", ascending=False).geometry:
        c = cell.centroid
        a, b = shapely.Point(c.x - 200, c.y), shapely.Point(c.x + 200, c.y)
        if town.contains(cell) and stops.distance(c) > 1500:
            return a, b
    raise AssertionError("no far populated cell")


def _to_lonlat(points: list[shapely.Point]) -> list[list[float]]:
    import geopandas as gpd

    series = gpd.GeoSeries(points, crs=ex.ZONE).to_crs(4326)
    return [[p.x, p.y] for p in series]


def _draft(coords: list[list[float]], stops: list[list[float]], per_day: int) -> dict[str, Any]:
    features = [{"type": "Feature", "properties": {},
                 "geometry": {"type": "LineString", "coordinates": coords}}]  # fmt: skip
    features += [
        {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": p}}
        for p in stops
    ]
    return {"type": "FeatureCollection", "name": "試案", "departures_per_day": per_day,
            "features": features}  # fmt: skip


def test_gain_of_a_line_in_a_blank_area(
    client: Any, feed_path: Path, n03_path: Path, mesh_csv: Path
) -> None:
    a, b = _blank_line(feed_path, n03_path, mesh_csv)
    town = ex.boundary(n03_path, "35208")
    cells = ex.mesh(mesh_csv)
    existing = ex.served_stops(feed_path, DAY, 1).buffer(300, quad_segs=16).union_all()
    new = shapely.union_all([a.buffer(300, quad_segs=16), b.buffer(300, quad_segs=16)])
    gain_area = new.intersection(town).difference(existing)
    expected_people = ex.people(cells, gain_area)
    populated = cells.geometry.intersection(town).union_all()
    coords = _to_lonlat([a, b])
    response = client.post(f"/api/transit/drafts/evaluate?{ARGS}", json=_draft(coords, coords, 12))
    assert response.status_code == 200, response.get_json()
    result = response.get_json()["result"]
    assert expected_people > 0
    assert result["population_newly_covered"] == pytest.approx(expected_people, rel=0.005)
    assert result["blank_area_removed_m2"] == pytest.approx(
        gain_area.intersection(populated).area, rel=0.005
    )
    assert result["length_m"] == pytest.approx(400, abs=1)
    assert result["overlap_m"] == 0 and result["meets_min_departures"]
    # below the minimum service level the draft gains nothing
    few = client.post(f"/api/transit/drafts/evaluate?{ARGS}&min_departures=20",
                      json=_draft(coords, coords, 12)).get_json()["result"]  # fmt: skip
    assert few["population_newly_covered"] == 0 and not few["meets_min_departures"]


def test_line_along_an_existing_route_overlaps_it(client: Any, feed_path: Path) -> None:
    shapes = read(feed_path, "shapes.txt")
    trips = read(feed_path, "trips.txt")
    shape_id = trips["shape_id"].iloc[0]
    route_id = trips["route_id"].iloc[0]
    pts = shapes[shapes["shape_id"] == shape_id].copy()
    pts["seq"] = pts["shape_pt_sequence"].astype(int)
    pts = pts.sort_values("seq").head(40)
    coords = [
        [float(x), float(y)] for x, y in zip(pts["shape_pt_lon"], pts["shape_pt_lat"], strict=True)
    ]
    result = client.post(
        f"/api/transit/drafts/evaluate?{ARGS}", json=_draft(coords, [coords[0]], 5)
    ).get_json()["result"]
    assert result["overlap_share"] > 0.99
    assert any(o["route"].endswith(":" + route_id) for o in result["overlapping_routes"])


def test_save_list_export_delete(client: Any, tokens: dict[str, str]) -> None:
    coords = [[132.0, 34.2], [132.005, 34.2]]
    body = _draft(coords, coords, 8)
    assert client.post(f"/api/transit/drafts?{ARGS}", json=body).status_code == 401
    viewer = {"Authorization": f"Bearer {tokens['viewer']}"}
    editor = {"Authorization": f"Bearer {tokens['editor']}"}
    other = {"Authorization": f"Bearer {tokens['other']}"}
    assert client.post(f"/api/transit/drafts?{ARGS}", json=body, headers=viewer).status_code == 403
    assert client.post(f"/api/transit/drafts?{ARGS}", json=body, headers=other).status_code == 403
    saved = client.post(f"/api/transit/drafts?{ARGS}", json=body, headers=editor)
    assert saved.status_code == 201
    draft_id = saved.get_json()["id"]
    import io
    import json

    upload = {"file": (io.BytesIO(json.dumps(body).encode()), "draft.geojson"), "name": "file"}
    by_file = client.post(f"/api/transit/drafts?{ARGS}", data=upload, headers=editor)
    assert by_file.status_code == 201 and by_file.get_json()["name"] == "file"
    listed = client.get("/api/transit/drafts", headers=viewer).get_json()["drafts"]
    assert {d["id"] for d in listed} >= {draft_id, by_file.get_json()["id"]}
    assert client.get("/api/transit/drafts", headers=other).get_json()["drafts"] == []
    exported = client.get(f"/api/transit/drafts/{draft_id}", headers=viewer)
    assert exported.headers["Content-Type"] == "application/geo+json"
    geo = exported.get_json()
    assert geo["name"] == "試案" and geo["departures_per_day"] == 8
    assert [f["geometry"]["type"] for f in geo["features"]] == ["LineString", "Point", "Point"]
    assert client.get(f"/api/transit/drafts/{draft_id}", headers=other).status_code == 404
    assert client.delete(f"/api/transit/drafts/{draft_id}", headers=viewer).status_code == 403
    assert client.delete(f"/api/transit/drafts/{draft_id}", headers=editor).status_code == 204
    assert client.get(f"/api/transit/drafts/{draft_id}", headers=editor).status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {"type": "FeatureCollection", "features": []},
        {"type": "Polygon"},
        _draft([[132.0, 34.2], [132.01, 34.2]], [], 5),
        _draft([[32.0, 134.2], [32.01, 134.2]], [[32.0, 134.2]], 5),
        _draft([[132.0, 34.2], [132.01, 34.2]], [[132.0, 34.2]], -1),
    ],
)
def test_bad_drafts_are_400(client: Any, body: dict[str, Any]) -> None:
    response = client.post(f"/api/transit/drafts/evaluate?{ARGS}", json=body)
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
