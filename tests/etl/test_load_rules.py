"""Row rules, format sniffing, planning inputs, dry runs and a SIGKILL during COPY."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import jismesh.utils as ju
import pytest
import shapely

from etl.cell_values import parse_count, parse_flag
from etl.sniff import sniff
from gis.platform.db import connect
from tests.etl.conftest import ROOT, run_load
from tests.shared_data import shared_path

HEADER = "市区町村コード,名称,緯度,経度,SSID\n"


def _issues(path: Path) -> list[dict[str, object]]:
    return json.loads(path.read_text("utf-8"))["files"][0]["issues"]


def test_coordinate_rules(etl_url: str, tmp_path: Path) -> None:
    sample = tmp_path / "spots.csv"
    sample.write_text(
        HEADER
        + '352039,dms,"34°03\'07.7""N","131°28\'12""E",a\n'
        + "352039,swapped,131.47,34.18,b\n"
        + "352039,ok,34.18,131.47,c\n"
        + "352039,outside,51.5,-0.12,d\n"
        + "352039,same,34.1,34.1,e\n"
        + "352039,unreadable,north,131.4,f\n",
        "cp932",
    )
    report = tmp_path / "r.json"
    proc = run_load(etl_url, "wifi_spots", str(sample), "--report", str(report), check=True)
    assert "loaded 3 features" in proc.stdout
    issues = {(i["row"], i["action"]) for i in _issues(report)}
    assert issues == {(3, "repaired"), (5, "rejected"), (6, "rejected"), (7, "rejected")}
    with connect(etl_url) as conn:
        dms = conn.execute(
            "SELECT ST_X(geom), ST_Y(geom) FROM layer_data.wifi_spots WHERE name = 'dms'"
        ).fetchone()
        swapped = conn.execute(
            "SELECT ST_X(geom), ST_Y(geom) FROM layer_data.wifi_spots WHERE name = 'swapped'"
        ).fetchone()
    assert dms == pytest.approx((131 + 28 / 60 + 12 / 3600, 34 + 3 / 60 + 7.7 / 3600))
    assert swapped == pytest.approx((131.47, 34.18))


def test_dry_run_changes_nothing_and_empty_load_fails(etl_url: str, tmp_path: Path) -> None:
    sample = tmp_path / "one.csv"
    sample.write_text(HEADER + "352039,x,34.18,131.47,a\n", "utf-8")
    with connect(etl_url) as conn:
        before = conn.execute("SELECT count(*) FROM kasane.layer_versions").fetchone()
    proc = run_load(etl_url, "wifi_spots", str(sample), "--dry-run", check=True)
    assert "dry run: 1 features would be loaded" in proc.stdout
    with connect(etl_url) as conn:
        assert conn.execute("SELECT count(*) FROM kasane.layer_versions").fetchone() == before
    empty = tmp_path / "empty.csv"
    empty.write_text(HEADER + "352039,x,,,a\n", "utf-8")
    failed = run_load(etl_url, "wifi_spots", str(empty))
    assert failed.returncode == 1 and "nothing to load" in failed.stdout


def test_formats_from_content(tmp_path: Path) -> None:
    fake = tmp_path / "shelters.csv"
    with zipfile.ZipFile(fake, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
    assert sniff(fake).format == "xlsx"
    geo = tmp_path / "data.txt"
    geo.write_text('{"type": "FeatureCollection", "features": []}', "utf-8")
    assert sniff(geo).format == "geojson"
    sjis = tmp_path / "a.json"
    sjis.write_bytes("名称,緯度\n避難所,34\n".encode("cp932"))
    assert (sniff(sjis).format, sniff(sjis).encoding) == ("csv", "cp932")


def test_damaged_xlsx_named_csv_is_rejected_saying_what_it_is(etl_url: str, tmp_path: Path) -> None:
    fake = tmp_path / "shelters.csv"
    with zipfile.ZipFile(fake, "w") as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
    proc = run_load(etl_url, "shelters", str(fake))
    assert proc.returncode == 1
    assert "cannot read this Excel workbook (xlsx): " in proc.stdout


def test_flag_and_count_forms() -> None:
    assert [parse_flag(v)[0] for v in ("1", "", "\u3000", "〇", "○", "×", "○（２階）")] == [
        True,
        False,
        False,
        True,
        True,
        False,
        True,
    ]
    assert parse_flag("○（２階）")[1] == "(2階)"
    assert parse_count("864人（2平方メートルあたり1人）") == (
        864,
        "864人（2平方メートルあたり1人）",
    )


def test_mesh_population_and_dead_zones(etl_url: str, tmp_path: Path) -> None:
    mesh = tmp_path / "coverage.csv"
    mesh.write_text(
        "mesh_code,year,has_advanced_station,stations\n513141,2023,1,3\n513142,2023,0,0\n12,2023,1,1\n",
        "utf-8",
    )
    report = tmp_path / "m.json"
    run_load(etl_url, "mesh_coverage", str(mesh), "--report", str(report), check=True)
    assert [(i["row"], i["action"]) for i in _issues(report)] == [(4, "rejected")]
    with connect(etl_url) as conn:
        wkb = conn.execute(
            "SELECT ST_AsBinary(geom) FROM layer_data.mesh_coverage WHERE mesh_code = '513141'"
        ).fetchone()
    lat_s, lon_w = ju.to_meshpoint("513141", 0, 0)
    lat_n, lon_e = ju.to_meshpoint("513141", 1, 1)
    assert shapely.from_wkb(bytes(wkb[0])).bounds == pytest.approx((lon_w, lat_s, lon_e, lat_n))

    population = tmp_path / "pop.csv"
    population.write_text("KEY_CODE,population\n51314100,120\n513141001,40\n", "utf-8")
    run_load(etl_url, "population_mesh", str(population), "--set", "survey_year=2020", check=True)
    with connect(etl_url) as conn:
        rows = conn.execute(
            "SELECT mesh_code, population, survey_year FROM layer_data.population_mesh ORDER BY 1"
        ).fetchall()
    assert rows == [("51314100", 120, 2020), ("513141001", 40, 2020)]

    zones = tmp_path / "zones.csv"
    zones.write_text(
        "lg_code,district_name,households,status,surveyed_year,resolved_year,carrier,lat,lon\n"
        "352039,A地区,12,未解消,2020,,,34.2,131.5\n"
        "352039,B地区,3,resolved,2019,2022,docomo,34.21,131.51\n"
        "352039,C地区,3,unknown,2019,,,34.22,131.52\n",
        "utf-8",
    )
    report = tmp_path / "z.json"
    run_load(etl_url, "dead_zones", str(zones), "--report", str(report), check=True)
    [issue] = _issues(report)
    assert issue["row"] == 4 and issue["field"] == "status" and issue["action"] == "rejected"


def test_sigkill_during_copy_keeps_served_version(etl_url: str) -> None:
    folder = shared_path("yamaguchi-uesugi", "flood_depth")
    run_load(etl_url, "flood_depth", str(folder), "--force", check=True)
    with connect(etl_url) as conn:
        served = conn.execute(
            "SELECT version FROM kasane.layer_current WHERE layer_id = 'flood_depth'"
        ).fetchone()
    env = {**os.environ, "KASANE_DATABASE_URL": etl_url}
    proc = subprocess.Popen(
        [sys.executable, "-m", "kasane", "load", "flood_depth", str(folder), "--force"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    with connect(etl_url, autocommit=True) as conn:
        while time.monotonic() < deadline:
            busy = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE query ILIKE 'COPY%%flood_depth%%'"
            ).fetchone()
            if busy[0]:
                break
            time.sleep(0.02)
        else:
            proc.kill()
            pytest.fail("the load never reached COPY")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with connect(etl_url) as conn:
        now = conn.execute(
            "SELECT version FROM kasane.layer_current WHERE layer_id = 'flood_depth'"
        ).fetchone()
        count = conn.execute("SELECT count(*) FROM layer_data.flood_depth").fetchone()
    assert now == served and count[0] == 21046
    after = run_load(etl_url, "flood_depth", str(folder), "--force", check=True)
    assert f"as version {served[0] + 1}" in after.stdout
    with connect(etl_url) as conn:
        tables = conn.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'layer_data'"
            " AND tablename LIKE 'flood_depth__v%%'"
        ).fetchone()
    assert tables[0] <= 3
