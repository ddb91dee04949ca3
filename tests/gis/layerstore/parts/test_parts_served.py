"""Bar of issue 27 on a running ``kasane serve`` (two workers): two municipalities publish their
shelter parts in turn through the upload API, one rolls back, the prefecture republishes every
part; after each step items, tiles, downloads and nearest-shelter answers show both parts in
every worker, with ETags that change with each step. A municipality's token cannot publish or
roll back another's part (404, as for an unknown part) but can its own."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import mapbox_vector_tile
import pytest
import requests

from gis.platform import auth
from gis.platform.db import connect
from tests.gis.layerstore.parts.conftest import IWAKUNI, PREFECTURE, SHIMONOSEKI, kasane
from tests.server import running_server

SHIMO = [("352012-1", 33.96, 130.94), ("352012-2", 33.97, 130.95)]
IWA = [("352080-1", 34.17, 132.22), ("352080-2", 34.16, 132.21)]


def geojson(rows: list[tuple[str, float, float]], code: str, tag: str = "") -> bytes:
    features = [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
         "properties": {"shelter_id": sid, "lg_code": code, "name": f"避難所{sid}{tag}",
                        "kind": "shelter", "hz_flood": True, "capacity": 100}}
        for sid, lat, lon in rows
    ]  # fmt: skip
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


@pytest.fixture(scope="module")
def server(parts_url: str, parts_layers: Path) -> Iterator[str]:
    with running_server(parts_url, KASANE_LAYERS_DIR=str(parts_layers),
                        KASANE_RATE_LIMIT_WRITES="0") as base:  # fmt: skip
        yield base


@pytest.fixture(scope="module")
def tokens(parts_url: str) -> dict[str, str]:
    people = {"shimo": (SHIMONOSEKI, "下関市"), "iwa": (IWAKUNI, "岩国市"),
              "pref": (PREFECTURE, "山口県")}  # fmt: skip
    out = {}
    with connect(parts_url) as conn:
        for key, (org, name) in people.items():
            role = auth.Role.ADMIN if key == "pref" else auth.Role.EDITOR
            out[key] = auth.add_user(conn, f"{key}-served", org, role, org_name=name)
        conn.commit()
    return out


def upload(base: str, token: str, body: bytes, **query: str) -> requests.Response:
    return requests.post(f"{base}/api/layers/shelters/versions", params=query,
                         headers={"Authorization": f"Bearer {token}"},
                         files={"file": ("shelters.geojson", body)}, timeout=60)  # fmt: skip


def tile_of(lat: float, lon: float, z: int = 12) -> str:
    import math

    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return f"{z}/{x}/{y}"


def seen(base: str, asked: int) -> tuple[dict[str, object], dict[str, str]]:
    """What one request each shows now: ids in items, tiles, the download and the nearest
    answers, and the ETags of items and the download."""
    items = requests.get(f"{base}/collections/shelters/items?limit=100", timeout=30)
    tiles = []
    for address in sorted({tile_of(lat, lon) for _, lat, lon in SHIMO + IWA}):
        raw = requests.get(f"{base}/tiles/shelters/{address}.mvt", timeout=30)
        layer = mapbox_vector_tile.decode(raw.content).get("shelters", {"features": []})
        tiles += [f["properties"]["name"] for f in layer["features"]]
    download = requests.get(f"{base}/datasets/shelters.geojson", timeout=30)
    nearest = []
    for _, lat, lon in (SHIMO[0], IWA[0])[:asked]:  # within the area served
        answer = requests.get(f"{base}/api/shelters/nearest?lat={lat}&lon={lon}&n=1", timeout=30)
        assert answer.status_code == 200, answer.text
        nearest += [s["name"] for s in answer.json()["shelters"]]
    names = sorted(f["properties"]["name"] for f in items.json()["features"])
    state = {
        "items": names,
        "tiles": sorted(tiles),
        "download": sorted(f["properties"]["name"] for f in download.json()["features"]),
        "nearest": nearest,
    }
    return state, {"items": items.headers["ETag"], "download": download.headers["ETag"]}


def every_worker(base: str, expected: list[str], nearest: list[str]) -> dict[str, str]:
    """Wait (10 s at most: each round is seven requests, on a busy machine; a lost NOTIFY
    would wait for the 30 s safety refresh) until 12 rounds in a row, from both workers, show
    ``expected`` everywhere; returns their ETags (the same in every worker)."""
    deadline = time.monotonic() + 10.0
    fresh, tags = 0, set()
    while fresh < 12:
        state, etags = seen(base, len(nearest))
        want = {"items": expected, "tiles": expected, "download": expected, "nearest": nearest}
        if state == want:
            fresh, tags = fresh + 1, tags | {json.dumps(etags, sort_keys=True)}
        else:
            fresh, tags = 0, set()
        assert time.monotonic() < deadline, f"a worker still serves {state}, not {want}"
    assert len(tags) == 1, tags
    return json.loads(tags.pop())  # type: ignore[no-any-return]


def test_two_municipalities_publish_roll_back_and_prefecture_republishes(
    server: str, tokens: dict[str, str], parts_url: str, parts_layers: Path
) -> None:
    shimo, iwa = geojson(SHIMO, SHIMONOSEKI), geojson(IWA, IWAKUNI)
    s_names = [f"避難所{sid}" for sid, _, _ in SHIMO]
    i_names = [f"避難所{sid}" for sid, _, _ in IWA]

    assert upload(server, tokens["shimo"], shimo).status_code == 201
    tags1 = every_worker(server, s_names, [s_names[0]])

    # 岩国市 may not publish 下関市's part: the same 404 as an unknown part; its own it may
    refused = upload(server, tokens["iwa"], iwa, part=SHIMONOSEKI)
    assert refused.status_code == 404
    assert (
        refused.json()["detail"]
        == f"layer 'shelters' has no part {SHIMONOSEKI} that you may change"
    )
    assert upload(server, tokens["iwa"], iwa, part="999999").status_code == 404
    made = upload(server, tokens["iwa"], iwa)
    assert made.status_code == 201, made.text
    both = sorted(s_names + i_names)
    tags2 = every_worker(server, both, [s_names[0], i_names[0]])
    assert tags2["items"] != tags1["items"] and tags2["download"] != tags1["download"]

    # 下関市 republishes (renamed shelters); 岩国市's part is untouched
    assert upload(server, tokens["shimo"], geojson(SHIMO, SHIMONOSEKI, "改")).status_code == 201
    renamed = [f"{n}改" for n in s_names]
    tags3 = every_worker(server, sorted(renamed + i_names), [renamed[0], i_names[0]])
    assert tags3["items"] != tags2["items"]

    # rollback: 岩国市's token cannot roll back 下関市's part; 下関市's can
    other = kasane(parts_url, parts_layers, "layers", "rollback", "shelters", "--part",
                   SHIMONOSEKI, token=tokens["iwa"])  # fmt: skip
    assert other.returncode == 1
    assert f"has no part {SHIMONOSEKI} that you may change" in other.stderr
    own = kasane(parts_url, parts_layers, "layers", "rollback", "shelters", "--part",
                 SHIMONOSEKI, token=tokens["shimo"])  # fmt: skip
    assert own.returncode == 0, own.stderr
    tags4 = every_worker(server, both, [s_names[0], i_names[0]])
    assert tags4["items"] not in (tags2["items"], tags3["items"])

    # the prefecture republishes every part at once; a municipality may not
    both_files = [json.loads(geojson(SHIMO[:1], SHIMONOSEKI, "県")),
                  json.loads(geojson(IWA[:1], IWAKUNI, "県"))]  # fmt: skip
    merged = {
        "type": "FeatureCollection",
        "features": [f for b in both_files for f in b["features"]],
    }
    everything = json.dumps(merged).encode()
    assert upload(server, tokens["shimo"], everything, parts="all").status_code == 404
    done = upload(server, tokens["pref"], everything, parts="all")
    assert done.status_code == 201, done.text
    final = sorted([f"{s_names[0]}県", f"{i_names[0]}県"])
    every_worker(server, final, [f"{s_names[0]}県", f"{i_names[0]}県"])
    with connect(parts_url) as conn:
        targets = [r[0] for r in conn.execute(
            "SELECT target FROM kasane.audit_log WHERE action = 'layer.upload' ORDER BY id"
        ).fetchall()]  # fmt: skip
    assert targets == [f"layers/shelters/parts/{SHIMONOSEKI}", f"layers/shelters/parts/{IWAKUNI}",
                       f"layers/shelters/parts/{SHIMONOSEKI}", "layers/shelters"]  # fmt: skip


def test_parts_page_lists_each_part_accessibly(
    server: str, tokens: dict[str, str], browser: object
) -> None:
    """After the test above: both parts listed (ja and en, keyboard and axe clean); the JSON
    says the same; a layer without parts and an unknown layer are 404."""
    from tests.browser import accessible_page

    body = requests.get(f"{server}/layers/shelters/parts?f=json", timeout=30).json()
    assert [(p["lg_code"], p["features"], p["stale"]) for p in body["parts"]] == [
        (SHIMONOSEKI, 1, False), (IWAKUNI, 1, False)]  # fmt: skip
    assert body["parts"][0]["loaded_by"] == "pref-served"
    assert requests.get(f"{server}/layers/wifi_spots/parts", timeout=30).status_code == 404
    assert requests.get(f"{server}/layers/nope/parts", timeout=30).status_code == 404
    for lang, heading in (("ja", "市町村ごとの公開状況"), ("en", "Who publishes what")):
        with accessible_page(browser, f"{server}/layers/shelters/parts?lang={lang}", lang) as page:
            assert heading in page.inner_text("h1")
            rows = page.locator("#parts-table tbody tr").all_inner_texts()
            assert len(rows) == 2 and SHIMONOSEKI in rows[0] and IWAKUNI in rows[1]
            assert "shelters.geojson" in rows[0] and "pref-served" in rows[0]


def test_open_data_offers_each_part_crediting_its_publisher(server: str, browser: object) -> None:
    """After the tests above: DCAT lists each part as a dataset published by its municipality,
    each part downloads alone (its own ETag, named after the part), an unknown part is a 404,
    and the open-data page lists the parts (axe clean)."""
    from tests.browser import accessible_page

    catalogue = requests.get(f"{server}/datasets?f=json", timeout=30).json()
    shelters = next(d for d in catalogue["dcat:dataset"] if d["dct:identifier"] == "shelters")
    owners = [p["dct:publisher"]["dct:identifier"] for p in shelters["dct:hasPart"]]
    assert owners == [SHIMONOSEKI, IWAKUNI]
    url = shelters["dct:hasPart"][0]["dcat:distribution"][0]["dcat:downloadURL"]["@id"]
    assert url.endswith(f"?part={SHIMONOSEKI}")
    wifi = [d for d in catalogue["dcat:dataset"] if d["dct:identifier"] == "wifi_spots"]
    assert all("dct:hasPart" not in d for d in wifi)  # a layer without parts: as before
    tags = set()
    for code in (SHIMONOSEKI, IWAKUNI):
        got = requests.get(f"{server}/datasets/shelters.geojson?part={code}", timeout=30)
        assert got.status_code == 200
        assert {f["properties"]["lg_code"] for f in got.json()["features"]} == {code}
        assert f"shelters-{code}.geojson" in got.headers["Content-Disposition"]
        tags.add(got.headers["ETag"])
        csv = requests.get(f"{server}/datasets/shelters.csv?part={code}", timeout=30)
        assert csv.status_code == 200 and code in csv.text
    whole = requests.get(f"{server}/datasets/shelters.geojson", timeout=30)
    assert len(tags | {whole.headers["ETag"]}) == 3
    assert (
        requests.get(f"{server}/datasets/shelters.csv?part=352021", timeout=30).status_code == 404
    )
    with accessible_page(browser, f"{server}/datasets?lang=en", "en") as page:
        rows = page.locator("#parts-shelters tbody tr").all_inner_texts()
        assert len(rows) == 2 and SHIMONOSEKI in rows[0] and IWAKUNI in rows[1]
