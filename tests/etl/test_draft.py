"""`kasane layers draft` on every shared data file: a layer file that validates and loads."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.etl.declared_helpers import kasane, layers_copy
from tests.shared_data import shared_path
from tests.xlsx_writer import write_xlsx

EVAC = "yamaguchi-uesugi/evacuation/"
WIFI = "yamaguchi-uesugi/wifi/"
BUS = "yamaguchi-uesugi/bus_map_shunan/オープンデータ用WGS84/"
# file under shared/data, geometry source drafted, features loaded (PROVENANCE.md counts, less
# the known defects: hinanjo.csv row with 経度 = 緯度; 周防大島 and lan1031 have no coordinates;
# 07_lan has 18 blank rows)
CASES = [
    (EVAC + "hinanjo.csv", "latlon", 221),
    (EVAC + "352080_evacuation_space.csv", "latlon", 134),
    (EVAC + "353434_evacuation_space.csv", "latlon", 33),
    (EVAC + "【下関市】指定緊急避難場所一覧（csv）.csv", "latlon", 245),
    (EVAC + "【山陽小野田市】指定緊急避難場所一覧.csv", "latlon", 58),
    (EVAC + "10_指定緊急避難場所一覧_353418_evacuation_space_2022.6.csv", "latlon", 32),
    (EVAC + "【周防大島町】指定緊急避難場所一覧.csv", "latlon", 0),
    (WIFI + "352110_public_wireless_lan_tourist-spot.csv", "latlon", 4),
    (WIFI + "07_lan_353418_public_wireless_lan.csv", "latlon", 1),
    (WIFI + "lan1031.csv", "latlon", 0),
    ("ev-tokushima/電気自動車充電スタンド.csv", "latlon", 45),
    ("gsi-shelters/emergency/331007.json", "file", 319),
    ("gsi-shelters/evacuation/332020.json", "file", 191),
    ("n03-smartnews/geojson_s0010_N03-21_35_210101.json", "file", 19),
    ("n03-smartnews/topojson_s0010_N03-21_33_210101.json", "file", 30),
    ("n03-smartnews/geojson_s0001_prefectures.json", "file", 47),
    ("landslide-tokyo/tokyo_dosekiryu_tokubetsu.json", "file", 1688),
    ("yamaguchi-uesugi/flood_depth/浸水深5.0m以上/ZZ_7_rectangle.shp", "file", 403),
    (BUS + "バス停.shp", "file", 103),
    (BUS + "バス路線.shp", "file", 17),
    (BUS + "米泉号予約エリア.shp", "file", 1),
]


@pytest.mark.parametrize(
    ("name", "geometry", "loaded"), CASES, ids=[f"case{i}" for i in range(len(CASES))]
)
def test_draft_validates_and_loads(
    etl_url: str, tmp_path: Path, name: str, geometry: str, loaded: int
) -> None:
    path = shared_path(*name.split("/"))
    layers = layers_copy(tmp_path)
    layer = f"drafted_{CASES.index((name, geometry, loaded))}"
    crs = ["--crs", "EPSG:4326"] if name.startswith(BUS) else []  # no .prj: see PROVENANCE.md
    proc = kasane(etl_url, layers, "layers", "draft", str(path), "--id", layer, *crs)
    assert f"geometry from: {geometry}" in proc.stderr
    assert "layer files are valid" in kasane(etl_url, layers, "layers", "validate").stdout
    assert all("load with --crs" in line for line in proc.stderr.splitlines() if "CRS" in line)
    load = kasane(etl_url, layers, "load", layer, str(path), *crs, check=False)
    found = re.search(r"loaded (\d+) features", load.stdout)
    assert (int(found[1]) if found else 0) == loaded, load.stdout + load.stderr


def test_draft_knows_standard_columns_and_reads_workbooks(etl_url: str, tmp_path: Path) -> None:
    layers = layers_copy(tmp_path)
    book = write_xlsx(
        tmp_path / "公衆トイレ.xlsx",
        {
            "表紙": [["公衆トイレ一覧"]],
            "データ": [
                ["公衆トイレ一覧（令和6年4月1日現在）"],
                [
                    "名称",
                    "住所",
                    "緯度経度",
                    "車椅子使用者用トイレ有無",
                    "設置年月日",
                    "便器数",
                    "管理番号",
                ],
                ["駅前", "山口市1", "34.1861,131.4705", "○", "令和2年4月1日", "3基", "0012"],
                ["公園", "山口市2", "34.1802,131.4731", "", "H30.5.1", "2", "0013"],
            ],
        },
    )
    proc = kasane(etl_url, layers, "layers", "draft", str(book), "--id", "toilets", "-o", "-")
    text = proc.stdout
    assert not (layers / "toilets.toml").exists()
    assert 'kind = "facility"' in text and 'geometry = "latlon_cell"' in text
    assert "geometry from: latlon_cell" in proc.stderr
    for line in (
        'name = "name"',
        'name = "wheelchair"',
        'type = "boolean"',
        'type = "date"',
        'en = "TODO: English title (便器数)"',
        'columns = ["管理番号"], parse = "code"',
    ):
        assert line in text, line
    assert re.search(r'name = "col_06"\ntype = "integer"', text)  # 3基: a count with its unit
    (layers / "toilets.toml").write_text(text, "utf-8")
    load = kasane(etl_url, layers, "load", "toilets", str(book), "--sheet", "データ")
    assert "loaded 2 features" in load.stdout
