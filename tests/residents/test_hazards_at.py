"""/api/hazards/at against shapely on the raw demo frames (not the database)."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from tests.residents.helpers import demo_frames

pytestmark = pytest.mark.usefixtures("demo_loaded")


def _expected(lon: float, lat: float) -> dict[str, object]:
    frames = demo_frames()
    pt = shapely.Point(lon, lat)
    flood = frames["flood_depth"]
    slide = frames["landslide_zones"]
    admin = frames["admin_boundaries"]
    in_flood = flood[flood.intersects(pt)]
    in_slide = slide[slide.intersects(pt)]
    in_admin = admin[admin.intersects(pt)]
    return {
        "depth_rank": int(in_flood["depth_rank"].max()) if len(in_flood) else None,
        "flood_count": len(in_flood),
        "zone_classes": sorted(int(c) for c in in_slide["zone_class"]),
        "phenomena": sorted({int(p) for p in in_slide["phenomenon"]}),
        "lg_code": in_admin["lg_code"].iloc[0] if len(in_admin) else None,
    }


def _points() -> list[tuple[float, float]]:
    frames = demo_frames()
    flood = frames["flood_depth"]
    slide = frames["landslide_zones"]
    rng = np.random.default_rng(7)
    points = []
    for frame, k in ((flood, 12), (slide, 8)):
        for i in rng.choice(len(frame), size=k, replace=False):
            p = frame.geometry.iloc[int(i)].representative_point()
            points.append((p.x, p.y))
    for _ in range(6):  # anywhere in the demo area, mostly outside every zone
        points.append((rng.uniform(131.35, 131.65), rng.uniform(34.02, 34.24)))
    return points


@pytest.mark.parametrize(("lon", "lat"), _points())
def test_hazards_match_shapely(client, lon: float, lat: float) -> None:
    body = client.get(f"/api/hazards/at?lat={lat}&lon={lon}").get_json()
    want = _expected(lon, lat)
    flood = next(h for h in body["hazards"] if h["kind"] == "flood_depth")
    slide = next(h for h in body["hazards"] if h["kind"] == "landslide_zone")
    assert flood["inside"] is (want["depth_rank"] is not None)
    assert flood["depth_rank"] == want["depth_rank"]
    assert len(flood["areas"]) == want["flood_count"]
    if flood["inside"]:
        colours = {
            1: "#F7F5A9",
            2: "#FFD8C0",
            3: "#FFB7B7",
            4: "#FF9191",
            5: "#F285C9",
            6: "#DC7ADC",
        }
        assert flood["color"] == colours[want["depth_rank"]]  # MLIT standard colours
        assert flood["label"]["ja"].endswith(("未満", "以上"))
        assert "浸水深" in body["summary"]["ja"]
    assert sorted(a["zone_class"] for a in slide["areas"]) == want["zone_classes"]
    assert slide["phenomena"] == want["phenomena"]
    if want["zone_classes"]:
        red = any(c in (2, 4) for c in want["zone_classes"])
        assert slide["zone_class"] in ((2, 4) if red else (1, 3))
        assert all(a["phenomenon_label"]["en"] for a in slide["areas"])
    assert (body["municipality"] or {}).get("lg_code") == want["lg_code"]


def test_at_least_some_points_are_inside_each_hazard() -> None:
    hits = [_expected(lon, lat) for lon, lat in _points()]
    assert sum(h["depth_rank"] is not None for h in hits) >= 10
    assert sum(bool(h["zone_classes"]) for h in hits) >= 8


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("lat=35.68&lon=139.76", "outside the area"),  # Tokyo
        ("lat=34.1", "lon is required"),
        ("lat=abc&lon=131.5", "not a number"),
        ("lat=95&lon=131.5", "out of range"),
        ("lat=nan&lon=131.5", "out of range"),
    ],
)
def test_bad_points_are_clear_400s(client, query: str, words: str) -> None:
    response = client.get(f"/api/hazards/at?{query}")
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert words in response.get_json()["detail"]
