"""Declared layers: templates, declared mappings and spreadsheets, loaded into real PostGIS."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest

from etl.cell_parsers import parse_boolean, parse_code, parse_date, parse_integer, parse_number
from gis.platform.db import connect
from tests.etl.declared_helpers import issues, kasane, layers_copy
from tests.shared_data import shared_path
from tests.xlsx_writer import write_xlsx

AED_HEADER = (
    "全国地方公共団体コード,ID,地方公共団体名,名称,名称_カナ,名称_英字,所在地_連結表記,"
    "建物名等(方書),緯度,経度,設置位置,電話番号,内線番号,法人番号,団体名,利用可能曜日,開始時間,"
    "終了時間,利用可能日時特記事項,小児対応設備の有無,URL,備考"
)


def _aed_row(code: str, n: str, name: str, lat: str, lon: str, child: str) -> str:
    return (
        f"{code},{n},山口県山口市,{name},,,山口県山口市亀山町2-1,1階,{lat},{lon},玄関,"
        f"083-922-1111,,,山口市,月-金,8:30,17:15,,{child},,"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("令和6年4月1日", dt.date(2024, 4, 1)),
        ("R6.4.1", dt.date(2024, 4, 1)),
        ("平成31年", dt.date(2019, 1, 1)),
        ("令和元年5月1日", dt.date(2019, 5, 1)),
        ("Ｈ３０．１２．３", dt.date(2018, 12, 3)),
        ("昭和64年1月7日", dt.date(1989, 1, 7)),
        ("2024/4/1", dt.date(2024, 4, 1)),
        ("２０２４年４月１日", dt.date(2024, 4, 1)),
        ("20240401", dt.date(2024, 4, 1)),
        ("", None),
    ],
)
def test_dates_in_japanese_eras(text: str, expected: dt.date | None) -> None:
    assert parse_date(text) == (expected, None)


def test_cell_parsers_say_why() -> None:
    assert (
        parse_date("令和6年13月1日")[1] == "'令和6年13月1日' is not a date (month must be in 1..12)"
    )
    assert parse_date("春ごろ") == (None, "'春ごろ' is not a date")
    assert parse_integer("282人") == (282, None)
    assert parse_integer("800(2㎡あたり1人）") == (800, None)
    assert parse_integer("１，２００") == (1200, None)
    assert parse_integer("多数") == (None, "'多数' is not a number")
    assert parse_number("9.9m") == (9.9, None)
    assert [
        parse_boolean(v)[0] for v in ("○", "〇", "1", "1.0", "✓", "有", "true", "", "×", "無")
    ] == [True, True, True, True, True, True, True, None, False, False]
    assert parse_boolean("不明") == (None, "'不明' is not a yes/no mark (1/○/有 or 0/×/無)")
    assert parse_code("0082020091") == ("0082020091", None)
    assert parse_code("352039.0") == ("352039", None)


def test_aed_template_loads_a_standard_cp932_file(etl_url: str, tmp_path: Path) -> None:
    layers = layers_copy(tmp_path)
    kasane(etl_url, layers, "layers", "new", "aed", "--template", "aed", "--owner", "352039")
    assert 'id = "aed"' in (layers / "aed.toml").read_text("utf-8")
    rows = [
        _aed_row("352039", "1", "山口市役所", "34.1861", "131.4705", "○"),
        _aed_row("３５２０３９", "2", "中央公民館", "３４．１８０２", "１３１．４７３１", ""),
        _aed_row("35203", "3", "亀山公園", "131.4690", "34.1830", "有"),  # swapped; 5-digit code
        _aed_row("352039", "4", "県庁", "34.1858", "131.4714", "不明"),  # flag unreadable
        _aed_row("352039", "5", "", "34.1858", "131.4714", "○"),  # no name: required
        _aed_row("352039", "6", "市民会館", "", "131.4714", "○"),  # no latitude
        _aed_row("352039", "7", "図書館", "341796", "131.4720", "×"),  # lost decimal point
        _aed_row("352039", "8", "ロンドン", "51.5", "-0.12", "○"),  # outside Japan
    ]
    sample = tmp_path / "AED設置箇所一覧.csv"
    sample.write_text(
        "AED設置箇所一覧（令和6年4月1日現在）,,,\r\n"
        + AED_HEADER
        + "\r\n"
        + "\r\n".join(rows)
        + "\r\n",
        "cp932",
    )
    report = tmp_path / "r.json"
    proc = kasane(etl_url, layers, "load", "aed", str(sample), "--report", str(report))
    assert "loaded 5 features" in proc.stdout, proc.stdout
    found = {(row, column, action) for _, row, column, action in issues(report)}
    assert found == {
        (5, "緯度/経度", "repaired"),  # swapped back
        (6, "paediatric", "flagged"),  # 不明: left empty
        (7, "name", "rejected"),
        (8, "緯度/経度", "rejected"),
        (9, "緯度", "repaired"),
        (10, "緯度/経度", "rejected"),
    }
    with connect(etl_url) as conn:
        got = conn.execute(
            "SELECT source_id, name, lg_code, paediatric, round(ST_Y(geom)::numeric, 4)"
            " FROM layer_data.aed ORDER BY source_id"
        ).fetchall()
    assert [(r[0], r[2], r[3]) for r in got] == [
        ("1", "352039", True),
        ("2", "352039", None),
        ("3", "352039", True),
        ("4", "352039", None),
        ("7", "352039", False),
    ]
    assert [float(r[4]) for r in got] == [34.1861, 34.1802, 34.1830, 34.1858, 34.1796]


LOUDSPEAKERS = """id = "loudspeakers"
kind = "facility"
geometry = "Point"
owner = "352039"
title = { ja = "防災行政無線 屋外拡声子局", en = "Disaster radio loudspeakers" }
description = { ja = "屋外スピーカーの位置。", en = "Where the outdoor loudspeakers are." }
license = { name = "CC BY 4.0", attribution = { ja = "出典: 山口市", en = "Source: Yamaguchi" } }

[source]
geometry = "latlon"
lat = ["北緯", "緯度"]
lon = ["東経", "経度"]

[[fields]]
name = "station_no"
type = "text"
title = { ja = "局番号", en = "Station number" }
required = true
source = { columns = ["局番号", "番号"], parse = "code" }

[[fields]]
name = "place"
type = "text"
title = { ja = "設置場所", en = "Place" }
source = { columns = ["設置場所"] }

[[fields]]
name = "speakers"
type = "integer"
title = { ja = "スピーカー数", en = "Speakers" }
source = { columns = ["スピーカー数"] }

[[fields]]
name = "installed_on"
type = "date"
title = { ja = "設置日", en = "Installed on" }
source = { columns = ["設置日", "設置年月日"] }

[[fields]]
name = "kind"
type = "text"
title = { ja = "種別", en = "Kind" }
values = ["pole", "roof"]
source = { columns = ["種別"], map = { "柱" = "pole", "ポール" = "pole", "屋上" = "roof" } }
"""


def test_dms_list_with_era_dates_loads_by_declaration(etl_url: str, tmp_path: Path) -> None:
    layers = layers_copy(tmp_path)
    (layers / "loudspeakers.toml").write_text(LOUDSPEAKERS, "utf-8")
    sample = tmp_path / "屋外拡声子局一覧.csv"
    sample.write_text(
        "局番号,設置場所,北緯,東経,スピーカー数,設置日,種別\n"
        '001,大殿小学校,"34°11\'02.5""N","131°28\'30.1""E",4基,令和2年4月1日,屋上\n'
        "002,湯田公園,34度10分12秒,131度27分30秒,２,R3.10.1,柱\n"
        "003,宮野,北緯34度12分,東経131度30分,3,平成31年,ポール\n"
        "004,吉敷,34°10′,131°26′,3,いつか,柱\n"  # unreadable date: flagged, kept
        "005,仁保,34°13′,131°33′,3,令和5年1月1日,塔\n"  # not in the map: flagged
        "006,秋穂,34度xx分,131度25分,1,令和5年1月1日,柱\n",  # unreadable latitude
        "utf-8-sig",
    )
    report = tmp_path / "r.json"
    proc = kasane(etl_url, layers, "load", "loudspeakers", str(sample), "--report", str(report))
    assert "loaded 5 features" in proc.stdout, proc.stdout
    assert {(r, c, a) for _, r, c, a in issues(report)} == {
        (5, "installed_on", "flagged"),
        (6, "kind", "flagged"),
        (7, "緯度/経度", "rejected"),
    }
    with connect(etl_url) as conn:
        got = conn.execute(
            "SELECT station_no, speakers, installed_on, kind, ST_X(geom), ST_Y(geom)"
            " FROM layer_data.loudspeakers ORDER BY station_no"
        ).fetchall()
    assert [r[:4] for r in got] == [
        ("001", 4, dt.date(2020, 4, 1), "roof"),
        ("002", 2, dt.date(2021, 10, 1), "pole"),
        ("003", 3, dt.date(2019, 1, 1), "pole"),
        ("004", 3, None, "pole"),
        ("005", 3, dt.date(2023, 1, 1), None),
    ]
    assert got[0][4:] == pytest.approx((131 + 28 / 60 + 30.1 / 3600, 34 + 11 / 60 + 2.5 / 3600))


def test_lat_lon_in_one_cell_and_a_spreadsheet(etl_url: str, tmp_path: Path) -> None:
    layers = layers_copy(tmp_path)
    text = LOUDSPEAKERS.replace(
        'geometry = "latlon"\nlat = ["北緯", "緯度"]\nlon = ["東経", "経度"]',
        'geometry = "latlon_cell"\ncolumns = ["位置", "緯度経度"]',
    )
    (layers / "loudspeakers.toml").write_text(text, "utf-8")
    book = write_xlsx(
        tmp_path / "子局.xlsx",
        {
            "説明": [],
            "一覧": [
                ["屋外拡声子局一覧", None, None, None],
                ["#property", "番号", "設置場所", "緯度経度", "設置日", "←データの項目名を入力"],
                ["#data", 1, "大殿", "34.1861, 131.4705", "R2.4.1", None],
                ["#data", 2, "湯田", "131.4690,34.1830", "令和3年4月1日", None],  # lon,lat: swapped
                ["#data", 3, "宮野", "34.18", "令和3年4月1日", None],  # one number only
            ],
        },
    )
    report = tmp_path / "r.json"
    proc = kasane(etl_url, layers, "load", "loudspeakers", str(book), "--report", str(report))
    assert "loaded 2 features" in proc.stdout, proc.stdout
    assert {(r, c, a) for _, r, c, a in issues(report)} == {
        (4, "緯度/経度", "repaired"),
        (5, "緯度/経度", "rejected"),
    }
    with connect(etl_url) as conn:
        got = conn.execute(
            "SELECT station_no, place, installed_on FROM layer_data.loudspeakers"
            " ORDER BY station_no"
        ).fetchall()
    assert got == [("1", "大殿", dt.date(2020, 4, 1)), ("2", "湯田", dt.date(2021, 4, 1))]
    wrong = kasane(
        etl_url,
        layers,
        "load",
        "loudspeakers",
        str(book),
        "--sheet",
        "無い",
        "--force",
        check=False,
    )
    assert wrong.returncode != 0 and "no sheet '無い'" in wrong.stdout + wrong.stderr


def test_a_file_lacking_declared_columns_is_refused_with_them(etl_url: str, tmp_path: Path) -> None:
    layers = layers_copy(tmp_path)
    kasane(etl_url, layers, "layers", "new", "toilets", "--template", "public_toilets")
    sample = tmp_path / "t.csv"
    sample.write_text("施設名,場所\nA,B\n", "utf-8")
    proc = kasane(etl_url, layers, "load", "toilets", str(sample), check=False)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "lack what layers/toilets.toml declares: name (名称 | name); geometry (緯度" in out


def test_emergency_site_template_loads_the_real_municipal_files(
    etl_url: str, tmp_path: Path
) -> None:
    """Seven real 指定緊急避難場所一覧 files of Yamaguchi (CP932 and UTF-8 with BOM, flags as
    1/〇/○/×/blank/U+3000, 5-digit codes, 2019 and 2024 column names) load unedited."""
    folder = shared_path("yamaguchi-uesugi", "evacuation")
    layers = layers_copy(tmp_path)
    kasane(etl_url, layers, "layers", "new", "emergency", "--template", "emergency_sites")
    report = tmp_path / "r.json"
    proc = kasane(etl_url, layers, "load", "emergency", str(folder), "--report", str(report))
    assert "loaded 691 features" in proc.stdout, proc.stdout
    found = Counter((Path(f).name[:12], column, action) for f, _, column, action in issues(report))
    assert found == {
        ("【周防大島町】指定緊急避", "緯度/経度", "rejected"): 179,  # no coordinates at all
        ("10_指定緊急避難場所一", "lg_code", "rejected"): 32,  # 市区町村コード left empty
        ("hinanjo.csv", "緯度/経度", "rejected"): 1,  # 経度 = 緯度
        ("352080_evacu", "緯度", "repaired"): 1,  # 343.208813
    }
    kaminoseki = folder / "10_指定緊急避難場所一覧_353418_evacuation_space_2022.6.csv"
    proc = kasane(etl_url, layers, "load", "emergency", str(kaminoseki), "--set", "lg_code=353418")
    assert "loaded 32 features" in proc.stdout, proc.stdout
    with connect(etl_url) as conn:
        flags = conn.execute(
            "SELECT count(*) FILTER (WHERE hz_flood), count(*) FILTER (WHERE hz_tsunami),"
            " count(*) FILTER (WHERE kind = 'both'), count(*) FROM layer_data.emergency"
        ).fetchone()
    assert flags == (32, 23, 13, 32)  # counted in the file: 洪水 32 × 1, 津波 23, 重複 13
