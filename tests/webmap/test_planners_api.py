"""The planners' JSON/CSV/SVG endpoints over HTTP (Flask test client, real PostGIS)."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET

import pytest

SVG = "{http://www.w3.org/2000/svg}"


def test_summary_json(client, demo_loaded, demo_frames) -> None:
    response = client.get("/api/deadzones/summary?as_of=2022&by=municipality")
    assert response.status_code == 200
    body = response.get_json()
    frame = demo_frames["dead_zones"]
    still_open = frame[frame["resolved_year"].isna() | (frame["resolved_year"] > 2022)]
    assert body["current"]["unresolved_districts"] == len(still_open) == 39
    assert body["current"]["unresolved_households"] == int(still_open["households"].sum())
    assert body["current"]["target"] == 40
    assert body["targets"] == {"2019": 62, "2022": 40}
    by_code = {m["lg_code"]: m for m in body["municipalities"]}
    for code, group in still_open.groupby("lg_code"):
        assert by_code[code]["unresolved_districts"] == len(group)


def test_summary_csv_opens_in_excel(client, demo_loaded) -> None:
    response = client.get("/api/deadzones/summary?as_of=2021&by=municipality&f=csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    totals = [r for r in rows if r["lg_code"] == ""]
    assert [int(r["unresolved_districts"]) for r in totals] == [62, 55, 47]
    per_muni_2021 = [r for r in rows if r["lg_code"] and r["year"] == "2021"]
    assert sum(int(r["unresolved_districts"]) for r in per_muni_2021) == 47


@pytest.mark.parametrize(
    "query",
    ["as_of=abc", "as_of=1990", "by=prefecture", "f=xml", "as_of=2022&f=pdf"],
)
def test_summary_bad_input_is_problem_json(client, demo_loaded, query: str) -> None:
    response = client.get(f"/api/deadzones/summary?{query}")
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"


def test_trend_chart_has_title_and_desc(client, demo_loaded) -> None:
    response = client.get("/api/deadzones/chart.svg?as_of=2022&lang=en")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    root = ET.fromstring(response.data)
    assert root.find(f"{SVG}title").text == "Mobile dead-zone districts per year"
    desc = root.find(f"{SVG}desc").text
    assert "2019: 62" in desc and "2022: 39 (target 40)" in desc


def test_mesh_rates_json_and_csv(client, demo_loaded) -> None:
    touching = client.get("/api/mesh-coverage/rates").get_json()
    populated = client.get("/api/mesh-coverage/rates?scope=populated").get_json()
    assert touching["scope"] == "touching" and populated["scope"] == "populated"
    assert touching["mesh_level"] == 2
    for t, p in zip(touching["years"], populated["years"], strict=True):
        assert p["cells_in_scope"] <= t["cells_in_scope"]
        assert t["rate"] == pytest.approx(t["cells_with_station"] / t["cells_in_scope"])
    response = client.get("/api/mesh-coverage/rates?f=csv&scope=populated")
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert [int(r["cells_with_station"]) for r in rows] == [
        y["cells_with_station"] for y in populated["years"]
    ]
    assert client.get("/api/mesh-coverage/rates?scope=sea").status_code == 400


def test_geojson_for_the_map(client, demo_loaded) -> None:
    districts = client.get("/api/deadzones/districts?as_of=2020")
    assert districts.mimetype == "application/geo+json"
    statuses = [f["properties"]["status_as_of"] for f in districts.get_json()["features"]]
    assert statuses.count("unresolved") == 55
    cells = client.get("/api/mesh-coverage/cells?year=2024&scope=populated").get_json()
    assert cells["year"] == 2024 and all(
        f["geometry"]["type"] == "Polygon" for f in cells["features"]
    )


def test_deadzones_page_without_js(client, demo_loaded) -> None:
    html = client.get("/map/deadzones?as_of=2020&lang=en").get_data(as_text=True)
    assert 'type="range"' in html and 'name="as_of"' in html
    assert 'aria-valuetext="2020"' in html
    assert "At the end of 2020, 55 districts" in html
    assert 'id="deadzone-map"' in html  # the slot the map fills later


@pytest.mark.parametrize("unit", ["municipality", "mesh1", "mesh2", "mesh3"])
def test_area_statistics_formats_agree(client, demo_loaded, unit: str) -> None:
    body = client.get(f"/api/areastats/flood_depth?by={unit}").get_json()
    assert body["measure"] == "area_m2" and body["unit"] == unit
    values = {u["code"]: u["value"] for u in body["units"]}
    assert body["total"] == pytest.approx(sum(values.values()))
    table = client.get(f"/api/areastats/flood_depth?by={unit}&f=csv")
    rows = list(csv.DictReader(io.StringIO(table.data.decode("utf-8-sig"))))
    assert {r["code"]: float(r["area_m2"]) for r in rows} == pytest.approx(values)
    geo = client.get(f"/api/areastats/flood_depth?by={unit}&f=geojson")
    assert geo.mimetype == "application/geo+json"
    features = geo.get_json()["features"]
    assert {f["id"]: f["properties"]["value"] for f in features} == pytest.approx(values)
    assert all(f["geometry"]["type"] in ("Polygon", "MultiPolygon") for f in features)


def test_area_statistics_totals_do_not_depend_on_the_unit(client, demo_loaded) -> None:
    for layer in ("shelters", "transit_routes", "dead_zones"):
        totals = [
            client.get(f"/api/areastats/{layer}?by={unit}").get_json()["total"]
            for unit in ("municipality", "mesh1", "mesh3")
        ]
        assert totals == pytest.approx([totals[0]] * 3, rel=1e-6)


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/api/areastats/nothing", 404),
        ("/api/areastats/shelters?by=ward", 400),
        ("/api/areastats/shelters?f=kml", 400),
    ],
)
def test_area_statistics_bad_input(client, demo_loaded, url: str, status: int) -> None:
    response = client.get(url)
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
