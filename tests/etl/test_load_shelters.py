"""Shelters from the real GSI GeoJSON and municipal CSVs, with the known defects."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gis.platform.db import connect
from tests.etl.conftest import run_load
from tests.shared_data import shared_path

pytestmark = pytest.mark.shared


def _line_of(path: Path, encoding: str, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding).splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(needle)


def test_municipal_csvs_load_with_defects_reported(etl_url: str, tmp_path: Path) -> None:
    folder = shared_path("yamaguchi-uesugi", "evacuation")
    report_file = tmp_path / "report.json"
    proc = run_load(etl_url, "shelters", str(folder), "--report", str(report_file), check=True)
    report = json.loads(report_file.read_text("utf-8"))
    files = {Path(f["name"]).name: f for f in report["files"]}

    iwakuni = folder / "352080_evacuation_space.csv"
    row = _line_of(iwakuni, "cp932", ",900056,")
    [fix] = [i for i in files[iwakuni.name]["issues"] if i["row"] == row]
    assert fix["action"] == "repaired"
    assert fix["reason"] == "343.208813 lost its decimal point; read as 34.3208813"

    yamaguchi = folder / "hinanjo.csv"
    row = _line_of(yamaguchi, "cp932", "E3520300052201")
    [bad] = [i for i in files[yamaguchi.name]["issues"] if i["row"] == row]
    assert bad["action"] == "rejected"
    assert bad["reason"] == "longitude equals latitude (34.017177): a copy error"

    # 周防大島町 has no coordinates at all: every data row is rejected, the call still loads
    oshima = files["【周防大島町】指定緊急避難場所一覧.csv"]
    raw_rows = (
        len((folder / "【周防大島町】指定緊急避難場所一覧.csv").read_text("utf-8-sig").splitlines())
        - 1
    )
    assert oshima["rows_read"] == raw_rows == 179
    assert oshima["rows_rejected"] == 179 and oshima["rows_loaded"] == 0

    assert report["rows_loaded"] == report["rows_read"] - report["rows_rejected"]
    assert proc.returncode == 0
    with connect(etl_url) as conn:
        lat = conn.execute(
            "SELECT ST_Y(geom) FROM layer_data.shelters WHERE shelter_id = '352080-900056'"
        ).fetchone()
        assert lat is not None and lat[0] == pytest.approx(34.3208813)
        # 田布施: 5-digit code 35343 -> 353434; flags written as U+3000 are false
        tabuse = conn.execute(
            "SELECT lg_code, hz_flood, hz_landslide, capacity FROM layer_data.shelters"
            " WHERE name = '馬島集会所'"
        ).fetchone()
        assert tabuse == ("353434", True, False, 50)
        # 下関: ○（２階） notes; 山口: 〇/× flags
        marks = conn.execute(
            "SELECT count(*) FILTER (WHERE note LIKE '%2階%'),"
            " count(*) FILTER (WHERE lg_code = '352039' AND hz_fire IS FALSE)"
            " FROM layer_data.shelters"
        ).fetchone()
        assert marks is not None and marks[0] > 0 and marks[1] > 0


def test_capacity_text_goes_to_note(etl_url: str, tmp_path: Path) -> None:
    src = shared_path("yamaguchi-uesugi", "evacuation", "【周防大島町】指定緊急避難場所一覧.csv")
    text = src.read_text("utf-8-sig").splitlines()
    header, first = text[0], text[1].split(",")
    first[5], first[6] = "33.925", "132.22"  # give the row coordinates so it loads
    sample = tmp_path / "oshima.csv"
    sample.write_text(header + "\n" + ",".join(first) + "\n", "utf-8-sig")
    run_load(etl_url, "shelters", str(sample), check=True)
    with connect(etl_url) as conn:
        row = conn.execute(
            "SELECT capacity, capacity_note, lg_code FROM layer_data.shelters"
        ).fetchone()
    assert row == (800, "800(2㎡あたり1人）", "353051")


def test_gsi_geojson_with_placeholder_stubs(etl_url: str, tmp_path: Path) -> None:
    folder = shared_path("gsi-shelters")
    expected = 0
    stubs = []
    for path in sorted(folder.rglob("*.json")):
        data = json.loads(path.read_text("utf-8"))
        if data.get("type") == "FeatureCollection":
            expected += len(data["features"])
        else:
            stubs.append(path.relative_to(folder.parent).as_posix())
    report_file = tmp_path / "gsi.json"
    proc = run_load(etl_url, "shelters", str(folder), "--report", str(report_file), check=True)
    report = json.loads(report_file.read_text("utf-8"))
    assert report["rows_loaded"] == expected == 2632 + 1773
    rejected = sorted(f["name"] for f in report["files"] if f["error"])
    assert rejected == stubs and len(stubs) == 8
    assert all("unavailable" in f["error"] for f in report["files"] if f["error"])
    assert "gsi-shelters/emergency/331015.json: rejected:" in proc.stdout
    with connect(etl_url) as conn:
        kinds = dict(
            conn.execute("SELECT kind, count(*) FROM layer_data.shelters GROUP BY kind").fetchall()
        )
    assert kinds.get("emergency_site") == 2632
    assert kinds.get("shelter", 0) + kinds.get("welfare", 0) == 1773

    again = run_load(etl_url, "shelters", str(folder))
    assert again.returncode == 0 and "unchanged" in again.stdout
    forced = run_load(etl_url, "shelters", str(folder), "--force", check=True)
    assert "as version" in forced.stdout
