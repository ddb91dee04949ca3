"""/api/shelters/nearest against an independent pyproj.Geod computation over every shelter
read back from the database, and EXPLAIN proof that the GiST index does the work."""

from __future__ import annotations

import numpy as np
import pytest
from pyproj import Geod

from gis.platform.db import connect
from gis.residents import shelters
from tests.residents.helpers import bearer, shelter_of

GEOD = Geod(ellps="WGS84")
HAZARDS = list(shelters.HAZARDS)


@pytest.fixture(scope="module")
def all_shelters(database_url: str, demo_loaded) -> list[dict]:
    cols = ", ".join(f"hz_{h}" for h in HAZARDS)
    with connect(database_url) as conn:
        rows = conn.execute(
            f"SELECT shelter_id, ST_X(geom), ST_Y(geom), {cols} FROM layer_data.shelters"
        ).fetchall()
    return [
        {"id": r[0], "lon": r[1], "lat": r[2], **{h: r[3 + i] for i, h in enumerate(HAZARDS)}}
        for r in rows
    ]


def _open_ids(database_url: str) -> set[str]:
    with connect(database_url) as conn:
        rows = conn.execute(
            "SELECT shelter_id FROM kasane.shelter_status WHERE status IN ('open', 'permanent')"
        ).fetchall()
    return {r[0] for r in rows}


def _expected(pool, lon, lat, hazard, n, open_ids=None):
    chosen = [
        s
        for s in pool
        if (hazard is None or s[hazard]) and (open_ids is None or s["id"] in open_ids)
    ]
    if not chosen:
        return []
    _, _, dist = GEOD.inv(
        np.full(len(chosen), lon),
        np.full(len(chosen), lat),
        np.array([s["lon"] for s in chosen]),
        np.array([s["lat"] for s in chosen]),
    )
    order = np.argsort(dist, kind="stable")[:n]
    return [(chosen[i]["id"], float(dist[i])) for i in order]


def _points(k: int = 15) -> list[tuple[float, float]]:
    rng = np.random.default_rng(11)
    return [(rng.uniform(131.33, 131.66), rng.uniform(34.0, 34.25)) for _ in range(k)]


def _compare(got: list[dict], want: list[tuple[str, float]]) -> None:
    assert len(got) == len(want)
    for g, (wid, wdist) in zip(got, want, strict=True):
        assert abs(g["distance_m"] - wdist) < 0.5  # ellipsoidal metres, PostGIS vs pyproj
        # The same shelter, unless two are tied to within half a metre.
        assert g["shelter_id"] == wid or any(
            w[0] == g["shelter_id"] and abs(w[1] - wdist) < 0.5 for w in want
        )


@pytest.mark.parametrize(("lon", "lat"), _points())
@pytest.mark.parametrize("hazard", [None, "flood", "landslide", "tsunami", "volcano"])
def test_nearest_matches_geod(client, all_shelters, lon, lat, hazard) -> None:
    url = f"/api/shelters/nearest?lat={lat}&lon={lon}&n=5" + (f"&hazard={hazard}" if hazard else "")
    body = client.get(url).get_json()
    _compare(body["shelters"], _expected(all_shelters, lon, lat, hazard, 5))
    for s in body["shelters"]:
        az, _, _ = GEOD.inv(lon, lat, s["lon"], s["lat"])
        assert abs(((az + 360) % 360) - s["bearing_deg"]) < 0.2 or s["distance_m"] < 1
        if hazard:
            assert hazard in s["hazards"]


def test_open_filter_matches_geod(client, database_url, all_shelters, staff_tokens) -> None:
    opened = [shelter_of("352039", i)["shelter_id"] for i in (3, 9, 27)]
    opened += [shelter_of("352063", i)["shelter_id"] for i in (2, 5)]
    for sid in opened:
        token = staff_tokens["pref_admin"]
        r = client.put(
            f"/api/shelters/{sid}/status", json={"status": "open"}, headers=bearer(token)
        )
        assert r.status_code == 200
    open_ids = _open_ids(database_url)
    assert set(opened) <= open_ids
    for lon, lat in _points(8):
        for hazard in (None, "flood"):
            url = f"/api/shelters/nearest?lat={lat}&lon={lon}&n=4&open=true"
            body = client.get(url + (f"&hazard={hazard}" if hazard else "")).get_json()
            _compare(body["shelters"], _expected(all_shelters, lon, lat, hazard, 4, open_ids))
            assert all(s["open_now"] for s in body["shelters"])


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("lat=34.1&lon=131.5&hazard=meteor", "unknown hazard"),
        ("lat=34.1&lon=131.5&n=0", "between 1 and 50"),
        ("lat=34.1&lon=131.5&n=x", "whole number"),
        ("lat=34.1&lon=131.5&open=maybe", "true or false"),
        ("lat=43.06&lon=141.35", "outside the area"),
    ],
)
def test_bad_queries_are_400(client, demo_loaded, query, words) -> None:
    response = client.get(f"/api/shelters/nearest?{query}")
    assert response.status_code == 400
    assert words in response.get_json()["detail"]


@pytest.mark.parametrize(
    ("hazard", "open_only"), [(None, False), ("flood", False), ("flood", True)]
)
def test_nearest_uses_the_gist_index_on_a_big_table(
    database_url, demo_loaded, hazard, open_only
) -> None:
    """On a 20k-row stand-in for the shelters layer (inside a rolled-back transaction), the plan
    uses the GiST index for both phases and never scans the table sequentially."""
    query = shelters.nearest_query(hazard, open_only)
    with connect(database_url) as conn:
        conn.execute(
            "CREATE TABLE layer_data.big_shelters AS SELECT * FROM layer_data.shelters LIMIT 0"
        )
        cols = ", ".join("random() < 0.5" for _ in HAZARDS)
        conn.execute(
            "INSERT INTO layer_data.big_shelters (fid, shelter_id, lg_code, name, kind, capacity,"
            f" {', '.join('hz_' + h for h in HAZARDS)}, geom)"
            f" SELECT i, 'B' || i, '352039', 'shelter ' || i, 'both', 100, {cols},"
            " ST_SetSRID(ST_MakePoint(131.3 + random() * 0.4, 34.0 + random() * 0.3), 4326)"
            " FROM generate_series(1, 20000) AS i"
        )
        conn.execute("CREATE INDEX ON layer_data.big_shelters USING gist (geom)")
        conn.execute("ANALYZE layer_data.big_shelters")
        conn.execute("DROP VIEW layer_data.shelters")
        conn.execute("CREATE VIEW layer_data.shelters AS SELECT * FROM layer_data.big_shelters")
        with conn.cursor() as cur:
            cur.execute(
                b"EXPLAIN " + query.as_bytes(conn),
                {"lon": 131.47, "lat": 34.18, "n": 5},
            )
            plan = "\n".join(r[0] for r in cur.fetchall())
        conn.rollback()
    assert "Seq Scan on big_shelters" not in plan, plan
    assert plan.count("Index Scan using big_shelters_geom_idx") >= 1, plan
    assert (
        "big_shelters_geom_idx" in plan.split("knn")[-1] or plan.count("big_shelters_geom_idx") >= 2
    ), plan
