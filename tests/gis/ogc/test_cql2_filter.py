"""CQL2 ``filter`` on items: a table of expressions per operator, in cql2-text and cql2-json,
each result compared with an independent evaluation (pandas / shapely / pyproj) over every
feature of the demo layers. Nothing is mocked: the filter runs in PostGIS."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import cql2
import pandas as pd
import pytest
from pyproj import Geod
from shapely.geometry import Point, box
from shapely.geometry import Polygon as ShapelyPolygon

from tests.demo import demo_frames

Frame = Any
Expect = Callable[[Frame], "pd.Series[bool]"]

# areas inside the demo data's extent (131.32-131.65 E, 34.00-34.25 N)
WEST = ShapelyPolygon([(131.30, 34.10), (131.50, 34.10), (131.50, 34.30), (131.30, 34.30)])
WEST_WKT = "POLYGON((131.30 34.10, 131.50 34.10, 131.50 34.30, 131.30 34.30, 131.30 34.10))"
TRIANGLE = ShapelyPolygon([(131.40, 34.00), (131.60, 34.00), (131.50, 34.20)])
TRIANGLE_WKT = "POLYGON((131.40 34.00, 131.60 34.00, 131.50 34.20, 131.40 34.00))"
FLOOD_POINT = (131.47, 34.06)
CENTRE = (131.4711, 34.1787)
GEOD = Geod(ellps="WGS84")


def _yes(series: pd.Series) -> pd.Series:
    """A SQL-like truth: NULL (NA) is not true."""
    return series.fillna(False).astype(bool)


def _within_m(frame: Frame, lon: float, lat: float, metres: float) -> pd.Series:
    xs, ys = frame.geometry.x.to_numpy(), frame.geometry.y.to_numpy()
    _, _, dist = GEOD.inv([lon] * len(xs), [lat] * len(ys), xs, ys)
    return pd.Series(dist <= metres, index=frame.index)


CASES: list[tuple[str, str, Expect]] = [
    # comparison
    ("shelters", "capacity > 500", lambda f: _yes(f.capacity > 500)),
    ("shelters", "capacity >= 711", lambda f: _yes(f.capacity >= 711)),
    ("shelters", "capacity < 100", lambda f: _yes(f.capacity < 100)),
    ("shelters", "capacity <= 87", lambda f: _yes(f.capacity <= 87)),
    ("shelters", "kind = 'welfare'", lambda f: _yes(f.kind == "welfare")),
    ("shelters", "kind <> 'both'", lambda f: _yes(f.kind != "both") & f.kind.notna()),
    ("shelters", "hz_flood = true", lambda f: f.hz_flood),
    ("shelters", "hz_flood", lambda f: f.hz_flood),
    ("flood_depth", "depth_m > 3.0", lambda f: _yes(f.depth_m > 3.0)),
    ("flood_depth", "depth_m <= 0.5", lambda f: _yes(f.depth_m <= 0.5)),
    # logical
    ("shelters", "capacity > 300 AND hz_flood = true",
     lambda f: _yes(f.capacity > 300) & f.hz_flood),
    ("shelters", "capacity < 50 OR kind = 'welfare'",
     lambda f: _yes(f.capacity < 50) | _yes(f.kind == "welfare")),
    ("shelters", "NOT (kind = 'both')", lambda f: _yes(f.kind != "both") & f.kind.notna()),
    ("shelters", "hz_flood = true AND (hz_tsunami = false OR capacity >= 1000)",
     lambda f: f.hz_flood & (~f.hz_tsunami | _yes(f.capacity >= 1000))),
    # LIKE (% any run, _ one character)
    ("shelters", "name LIKE '%小学校%'", lambda f: _yes(f.name.str.contains("小学校"))),
    ("shelters", "name LIKE '中央%'", lambda f: _yes(f.name.str.startswith("中央"))),
    ("shelters", "name LIKE '中央__'", lambda f: _yes(f.name.str.fullmatch("中央.."))),
    ("shelters", "name NOT LIKE '%センター'", lambda f: ~_yes(f.name.str.endswith("センター"))),
    ("shelters", r"name LIKE '%\%%'", lambda f: _yes(f.name.str.contains("%", regex=False))),
    ("shelters", "CASEI(kind) = casei('WELFARE')", lambda f: _yes(f.kind.str.lower() == "welfare")),
    # IN, BETWEEN, IS NULL
    ("shelters", "kind IN ('shelter', 'welfare')",
     lambda f: _yes(f.kind.isin(["shelter", "welfare"]))),
    ("shelters", "kind NOT IN ('both')", lambda f: _yes(f.kind != "both") & f.kind.notna()),
    ("flood_depth", "depth_rank IN (4, 5)", lambda f: _yes(f.depth_rank.isin([4, 5]))),
    ("shelters", "capacity BETWEEN 100 AND 500", lambda f: _yes(f.capacity.between(100, 500))),
    ("shelters", "capacity NOT BETWEEN 100 AND 500",
     lambda f: f.capacity.notna() & ~_yes(f.capacity.between(100, 500))),
    ("shelters", "capacity IS NULL", lambda f: f.capacity.isna()),
    ("shelters", "capacity IS NOT NULL", lambda f: f.capacity.notna()),
    ("dead_zones", "resolved_year IS NULL AND households > 20",
     lambda f: f.resolved_year.isna() & _yes(f.households > 20)),
    # property-property
    ("dead_zones", "resolved_year > surveyed_year",
     lambda f: _yes(f.resolved_year > f.surveyed_year)),
    # dates
    ("landslide_zones", "designated_on > DATE('2015-01-01')",
     lambda f: pd.to_datetime(f.designated_on) > "2015-01-01"),
    ("landslide_zones", "designated_on BETWEEN DATE('2010-01-01') AND DATE('2015-12-31')",
     lambda f: pd.to_datetime(f.designated_on).between("2010-01-01", "2015-12-31")),
    ("landslide_zones", "T_BEFORE(designated_on, DATE('2012-01-01'))",
     lambda f: pd.to_datetime(f.designated_on) < "2012-01-01"),
    # spatial (CRS84 literals)
    ("shelters", f"S_INTERSECTS(geometry, {WEST_WKT})", lambda f: f.intersects(WEST)),
    ("shelters", f"S_WITHIN(geometry, {TRIANGLE_WKT})", lambda f: f.within(TRIANGLE)),
    ("shelters", "S_WITHIN(geometry, BBOX(131.30, 34.10, 131.50, 34.30))",
     lambda f: f.within(box(131.30, 34.10, 131.50, 34.30))),
    ("shelters", f"S_DISJOINT(geometry, {WEST_WKT})", lambda f: f.disjoint(WEST)),
    ("flood_depth", f"S_INTERSECTS(geometry, {TRIANGLE_WKT})", lambda f: f.intersects(TRIANGLE)),
    ("flood_depth", f"S_CONTAINS(geometry, POINT({FLOOD_POINT[0]} {FLOOD_POINT[1]}))",
     lambda f: f.contains(Point(FLOOD_POINT))),
    ("shelters", f"S_DWITHIN(geometry, POINT({CENTRE[0]} {CENTRE[1]}), 1500, meters)",
     lambda f: _within_m(f, *CENTRE, 1500)),
    # a planners' question: flood shelters for over 300 people outside a drawn area
    ("shelters",
     f"hz_flood = true AND capacity > 300 AND NOT S_INTERSECTS(geometry, {TRIANGLE_WKT})",
     lambda f: f.hz_flood & _yes(f.capacity > 300) & ~f.intersects(TRIANGLE)),
]  # fmt: skip


@pytest.fixture(scope="module")
def frames() -> dict[str, Frame]:
    return demo_frames()


def _ids(client: Any, layer: str, **args: str) -> set[int]:
    query = urlencode({"limit": "10000", **args})
    response = client.get(f"/collections/{layer}/items?{query}")
    assert response.status_code == 200, (args, response.data[:400])
    doc = json.loads(response.data)
    assert doc["numberMatched"] == doc["numberReturned"]
    return {int(f["id"]) for f in doc["features"]}


def _expected(frame: Frame, expect: Expect) -> set[int]:
    mask = expect(frame).to_numpy(dtype=bool)
    return {i + 1 for i, hit in enumerate(mask) if hit}  # fid = row number, from 1


@pytest.mark.parametrize(("layer", "text", "expect"), CASES, ids=[c[1][:60] for c in CASES])
def test_cql2_text_selects_what_pandas_and_shapely_select(
    client: Any, demo_loaded: Any, frames: dict[str, Frame], layer: str, text: str, expect: Expect
) -> None:
    expected = _expected(frames[layer], expect)
    assert _ids(client, layer, filter=text) == expected


@pytest.mark.parametrize(("layer", "text", "expect"), CASES, ids=[c[1][:60] for c in CASES])
def test_cql2_json_selects_the_same(
    client: Any, demo_loaded: Any, frames: dict[str, Frame], layer: str, text: str, expect: Expect
) -> None:
    encoded = json.dumps(cql2.parse_text(text).to_json(), ensure_ascii=False)
    assert _ids(client, layer, filter=encoded, **{"filter-lang": "cql2-json"}) == _expected(
        frames[layer], expect
    )


def test_the_table_is_not_trivial(frames: dict[str, Frame]) -> None:
    """Most expressions select some but not all features (else a broken filter could pass)."""
    partial = [
        t for layer, t, e in CASES if 0 < len(_expected(frames[layer], e)) < len(frames[layer])
    ]
    assert len(partial) >= len(CASES) - 3


def test_hand_written_cql2_json(client: Any, demo_loaded: Any, frames: dict[str, Frame]) -> None:
    doc = {
        "op": "and",
        "args": [
            {"op": ">", "args": [{"property": "capacity"}, 300]},
            {"op": "s_intersects", "args": [
                {"property": "geometry"},
                {"type": "Polygon", "coordinates": [list(WEST.exterior.coords)]},
            ]},
            {"op": "in", "args": [{"property": "kind"}, ["both", "shelter"]]},
        ],
    }  # fmt: skip
    f = frames["shelters"]
    expected = _expected(
        f,
        lambda f: (
            _yes(f.capacity > 300) & f.intersects(WEST) & _yes(f.kind.isin(["both", "shelter"]))
        ),
    )
    assert expected
    got = _ids(client, "shelters", filter=json.dumps(doc), **{"filter-lang": "cql2-json"})
    assert got == expected


def test_filter_crs_reads_lat_lon_literals(client: Any, demo_loaded: Any) -> None:
    lat_lon = "POLYGON((34.10 131.30, 34.10 131.50, 34.30 131.50, 34.30 131.30, 34.10 131.30))"
    in_4326 = _ids(
        client, "shelters", filter=f"S_INTERSECTS(geometry, {lat_lon})",
        **{"filter-crs": "http://www.opengis.net/def/crs/EPSG/0/4326"},
    )  # fmt: skip
    assert in_4326 and in_4326 == _ids(
        client, "shelters", filter=f"S_INTERSECTS(geometry, {WEST_WKT})"
    )


def test_filter_with_bbox_equality_and_paging(client: Any, demo_loaded: Any, frames) -> None:
    f = frames["shelters"]
    expected = _expected(
        f, lambda f: _yes(f.capacity > 100) & _yes(f.kind == "both") & f.intersects(WEST)
    )
    got = _ids(
        client, "shelters", filter="capacity > 100", kind="both", bbox="131.30,34.10,131.50,34.30"
    )
    assert got == expected
    response = client.get(
        "/collections/shelters/items?" + urlencode({"filter": "capacity > 100", "limit": 3})
    )
    doc = json.loads(response.data)
    nxt = next(link["href"] for link in doc["links"] if link["rel"] == "next")
    assert "filter=capacity" in nxt
    assert doc["numberMatched"] == len(_expected(f, lambda f: _yes(f.capacity > 100)))


def test_csv_and_html_take_the_filter(client: Any, demo_loaded: Any, frames) -> None:
    expected = len(_expected(frames["shelters"], lambda f: _yes(f.kind == "welfare")))
    csv_text = client.get(
        "/collections/shelters/items?f=csv&limit=1000&filter=kind%3D%27welfare%27"
    ).data
    assert len(csv_text.decode().strip().splitlines()) == expected + 1
    html = client.get("/collections/shelters/items?f=html&filter=kind%3D%27welfare%27")
    assert html.status_code == 200


def test_fields_declared_index_get_a_btree(database_url: str, demo_loaded: Any, registry) -> None:
    from gis.platform.db import connect

    spec = registry.get("shelters")
    declared = {f.name for f in spec.fields if f.index}
    assert declared >= {"capacity", "kind"}
    with connect(database_url) as conn:
        table = conn.execute(
            "SELECT format('layer_data.%I', layer_id || '__v' || version)"
            " FROM kasane.layer_current WHERE layer_id = 'shelters'"
        ).fetchone()
        indexed = {
            str(row[0])
            for row in conn.execute(
                "SELECT a.attname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
                " JOIN pg_am am ON am.oid = c.relam JOIN pg_attribute a"
                " ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)"
                " WHERE i.indrelid = %s::regclass AND am.amname = 'btree'",
                (table[0],),
            ).fetchall()
        }
    assert indexed == declared | {"fid"}
