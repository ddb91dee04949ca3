"""`kasane load addresses` on files in the real 位置参照情報 format (CP932, every cell quoted,
CRLF, their documented columns; loose and zipped), then GET /api/search on what was loaded.

The files are written here from tests/search/gazetteer_rows.py, independently of the demo's
writer; counts are counted from the rows written, never from the code under test.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from gis.platform.db import connect
from gis.platform.settings import load_settings
from tests.etl.conftest import etl_url, run_load  # noqa: F401  (etl_url is a fixture)
from tests.search.gazetteer_rows import TOWNS

BLOCK_HEADER = ["都道府県名", "市区町村名", "大字・丁目名", "小字・通称名", "街区符号・地番",
                "座標系番号", "Ｘ座標", "Ｙ座標", "緯度", "経度", "住居表示フラグ", "代表フラグ",
                "更新前履歴フラグ", "更新後履歴フラグ"]  # fmt: skip
TOWN_HEADER = ["都道府県コード", "都道府県名", "市区町村コード", "市区町村名",
               "大字町丁目コード", "大字町丁目名", "緯度", "経度", "原典資料コード",
               "大字・字・丁目区分コード"]  # fmt: skip


def _csv(header: list[str], rows: list[list[str]]) -> bytes:
    text = io.StringIO()
    csv.writer(text, quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows([header, *rows])
    return text.getvalue().encode("cp932")


def block_rows() -> list[list[str]]:
    rows = []
    for pref, city, town, blocks, lon, lat, *_ in TOWNS:
        for i, block in enumerate(blocks):
            rows.append([pref, city, town, "", block, "3", "-1000.0", "2000.0",
                         f"{lat:.6f}", f"{lon + i * 1e-4:.6f}", "1", "1", "0", "0"])  # fmt: skip
    return rows


def town_rows() -> list[list[str]]:
    return [
        [code[:2], pref, code, city, tcode, town, f"{lat:.6f}", f"{lon:.6f}", "3", str(kind)]
        for pref, city, town, _b, lon, lat, code, tcode, kind in TOWNS
    ]


def _load(url: str, *paths: Path, extra: tuple[str, ...] = ()) -> dict[str, Any]:
    report = paths[0].parent / "report.json"
    proc = run_load(url, "addresses", *map(str, paths), "--report", str(report), *extra)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return dict(json.loads(report.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def loaded(etl_url: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:  # noqa: F811
    folder = tmp_path_factory.mktemp("isj")
    blocks, towns = folder / "33_2023.csv", folder / "35000-17.0b.zip"
    blocks.write_bytes(_csv(BLOCK_HEADER, block_rows()))
    with zipfile.ZipFile(towns, "w") as archive:  # the town level zipped, as MLIT ships it
        archive.writestr("35000-17.0b/35_2023.csv", _csv(TOWN_HEADER, town_rows()))
    return _load(etl_url, blocks, towns)


def _counts(url: str) -> dict[str, int]:
    with connect(url) as conn:
        rows = conn.execute("SELECT level, count(*) FROM layer_data.addresses GROUP BY 1")
        return {str(level): int(n) for level, n in rows}


def test_real_format_files_load_with_exact_counts(etl_url: str, loaded: dict[str, Any]) -> None:  # noqa: F811
    assert b"\r\n" in _csv(BLOCK_HEADER, block_rows()) and b'"' in _csv(TOWN_HEADER, [])
    assert _counts(etl_url) == {"block": len(block_rows()), "town": len(TOWNS)}
    assert loaded["rows_rejected"] == 0


def test_a_malformed_row_is_rejected_with_its_row_number(etl_url: str, tmp_path: Path) -> None:  # noqa: F811
    rows = block_rows()
    rows[4][8] = ""  # 緯度 empty: the CSV line is 6 (header on line 1)
    rows[7][9] = "東経"  # 経度 not a number: line 9
    path = tmp_path / "35_broken.csv"
    path.write_bytes(_csv(BLOCK_HEADER, rows))
    report = _load(etl_url, path, extra=("--dry-run",))
    rejected = {(i["row"], i["action"]) for f in report["files"] for i in f["issues"]
                if i["action"] == "rejected"}  # fmt: skip
    assert rejected == {(6, "rejected"), (9, "rejected")}
    assert report["rows_loaded"] == len(rows) - 2
    assert _counts(etl_url)["block"] == len(block_rows())  # dry run: nothing changed


def test_load_again_then_roll_back(etl_url: str, loaded: dict[str, Any], tmp_path: Path) -> None:  # noqa: F811
    path = tmp_path / "35_small.csv"
    path.write_bytes(_csv(BLOCK_HEADER, block_rows()[:5]))
    _load(etl_url, path)
    assert _counts(etl_url) == {"block": 5}
    env_url = etl_url
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-m", "kasane", "layers", "rollback", "addresses"],
        env={**__import__("os").environ, "KASANE_DATABASE_URL": env_url},
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert _counts(etl_url) == {"block": len(block_rows()), "town": len(TOWNS)}


@pytest.fixture()
def search_client(etl_url: str, loaded: dict[str, Any]):  # type: ignore[no-untyped-def]  # noqa: F811
    from webmap import close, create_app

    app = create_app(load_settings(database_url=etl_url))
    app.testing = True
    yield app.test_client()
    close(app)


def test_api_answers_an_address_at_block_precision(search_client) -> None:  # type: ignore[no-untyped-def]
    body = search_client.get("/api/search", query_string={"q": "下関市竹崎町４－１"}).get_json()
    best = body["best"]
    assert best["properties"]["label"] == "山口県下関市竹崎町四丁目 1"
    assert best["properties"]["precision"] == "block"
    assert best["properties"]["layer"] == "addresses"
    assert best["geometry"] == {"type": "Point", "coordinates": [130.927, 33.957]}
    assert body["type"] == "FeatureCollection" and body["ambiguous"] is False


def test_api_ambiguous_town_and_near(search_client) -> None:  # type: ignore[no-untyped-def]
    near_hofu = {"q": "中央町", "near": "131.57,34.05", "lang": "en"}
    body = search_client.get("/api/search", query_string=near_hofu).get_json()
    assert body["ambiguous"] is True
    assert body["best"]["properties"]["label"] == "山口県防府市中央町"
    assert body["best"]["properties"]["precision_label"] == "town"
    assert len([f for f in body["features"] if f["properties"]["town"] == "中央町"]) == 3


@pytest.mark.parametrize(
    ("args", "says"),
    [
        ({}, "q is required"),
        ({"q": "  "}, "q is required"),
        ({"q": "x" * 201}, "too long"),
        ({"q": "a", "limit": "0"}, "limit"),
        ({"q": "a", "limit": "x"}, "limit"),
        ({"q": "a", "near": "131"}, "near"),
        ({"q": "a", "near": "200,34"}, "near"),
    ],
)
def test_api_bad_requests_say_why(search_client, args: dict[str, str], says: str) -> None:  # type: ignore[no-untyped-def]
    response = search_client.get("/api/search", query_string=args)
    assert response.status_code == 400
    assert says in response.get_json()["detail"]


def test_fast_path_answers_as_flask_does(search_client) -> None:  # type: ignore[no-untyped-def]
    from webmap.fastpath.search_answers import SearchAnswers

    layer = search_client.application.wsgi_app
    while not isinstance(layer, SearchAnswers):  # inside the remembered-answers layer
        layer = layer.wrapped
    first = search_client.get("/api/search?q=霞ヶ関2-1&lang=en")  # through Flask: learns headers
    second = search_client.get("/api/search?q=霞ヶ関2-1&lang=en")  # from the fast path
    assert layer._head is not None
    assert first.get_json() == second.get_json()
    assert second.get_json()["best"]["properties"]["precision_label"] == "block"
    assert second.headers["Content-Type"] == first.headers["Content-Type"]
    raw = search_client.get("/api/search?q=霞ヶ関2-1")  # raw UTF-8 in the query string
    assert raw.get_json()["best"] == first.get_json()["best"]
    assert search_client.get("/api/search?q=").status_code == 400  # errors: Flask's problem
