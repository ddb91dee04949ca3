"""Rows far from the municipality they name are rejected with the distance (near ones are
flagged and loaded), and a file that breaks a reader in an unexpected way is rejected alone:
one line for the person, the traceback in the JSON report, the other files loaded."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import shapely
from pyproj import Geod

from etl import read_inputs as collect
from etl.load import LoadOptions, load
from gis.layerstore.registry import LayerRegistry
from tests.conftest import ROOT
from tests.etl.conftest import ROOT as REPO
from tests.etl.conftest import run_load
from tests.shared_data import shared_path

N03 = "geojson_s0010_N03-21_35_210101.json"
HEADER = "市区町村コード,名称,緯度,経度,SSID\n"


def _outline(code: str) -> shapely.Geometry:
    features = json.loads(shared_path("n03-smartnews", N03).read_text("utf-8"))["features"]
    parts = [shapely.geometry.shape(f["geometry"]) for f in features
             if f["properties"]["N03_007"] == code]  # fmt: skip
    return shapely.union_all(parts)


@pytest.fixture(scope="module")
def with_boundaries(etl_url: str) -> str:
    run_load(etl_url, "admin_boundaries", str(shared_path("n03-smartnews", N03)), check=True)
    return etl_url


def _issues(report: Any) -> dict[int, tuple[str, str]]:
    return {i["row"]: (i["action"], i["reason"]) for i in report.as_json()["files"][0]["issues"]}


def test_distance_rules(with_boundaries: str, tmp_path: Path) -> None:
    yamaguchi = _outline("35203")
    east = max(shapely.get_coordinates(yamaguchi), key=lambda c: c[0])
    near = (east[0] + 0.01, east[1])  # just east of 山口市's easternmost vertex
    near_km = Geod(ellps="GRS80").inv(east[0], east[1], *near)[2] / 1000
    inside = yamaguchi.representative_point()
    typo = (inside.x + 8, inside.y)  # one wrong digit in the longitude: 131 -> 139
    sample = tmp_path / "wifi.csv"
    sample.write_text(
        HEADER
        + f"352039,inside,{inside.y},{inside.x},a\n"
        + f"352039,border,{near[1]},{near[0]},b\n"
        + f"352039,typo,{typo[1]},{typo[0]},c\n",
        "utf-8",
    )
    registry = LayerRegistry.from_dir(ROOT / "layers")
    report = load(with_boundaries, registry.get("wifi_spots"), [sample], LoadOptions(dry_run=True))
    issues = _issues(report)
    assert report.rows_loaded == 2
    assert 2 not in issues
    action, reason = issues[3]
    assert action == "flagged" and reason == f"point lies {near_km:.1f} km outside 山口市 (352039)"
    action, reason = issues[4]
    typo_km = float(reason.split(" km")[0].rsplit(" ", 1)[1])
    assert action == "rejected" and reason.endswith(
        "outside 山口市 (352039): more than 10 km (a wrong digit?)"
    )
    assert 600 < typo_km < 800
    # the limit is an option: at 1000 km the typo is only flagged
    wide = LoadOptions(dry_run=True, reject_outside_km=1000)
    assert _issues(load(with_boundaries, registry.get("wifi_spots"), [sample], wide))[4][0] == (
        "flagged"
    )


def test_polygon_centres_far_outside_are_rejected(with_boundaries: str, tmp_path: Path) -> None:
    iwakuni = _outline("35208").representative_point()
    square = shapely.box(iwakuni.x, iwakuni.y, iwakuni.x + 0.001, iwakuni.y + 0.001)
    features = [
        {"type": "Feature", "geometry": shapely.geometry.mapping(square),
         "properties": {"phenomenon": 1, "zone_class": 1, "lg_code": code}}
        for code in ("352080", "352039")
    ]  # fmt: skip
    sample = tmp_path / "zones.geojson"
    sample.write_text(json.dumps({"type": "FeatureCollection", "features": features}), "utf-8")
    registry = LayerRegistry.from_dir(ROOT / "layers")
    spec = registry.get("landslide_zones")
    report = load(with_boundaries, spec, [sample], LoadOptions(dry_run=True))
    issues = _issues(report)
    assert list(issues) == [2] and issues[2][0] == "rejected"
    assert "centre lies" in issues[2][1] and "outside 山口市 (352039)" in issues[2][1]


def test_an_unexpected_error_rejects_only_its_file(
    etl_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reader that fails in a way nobody foresaw (simulated: the bug is not known yet)."""
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_text(HEADER + "352039,ok,34.18,131.47,a\n", "utf-8")
    bad.write_text(HEADER + "352039,boom,34.18,131.47,b\n", "utf-8")
    tables = collect._tables

    def breaking(item: Any, *args: Any) -> Any:
        if item.path.name == "bad.csv":
            raise KeyError("a library's surprise")
        return tables(item, *args)

    monkeypatch.setattr(collect, "_tables", breaking)
    registry = LayerRegistry.from_dir(ROOT / "layers")
    report = load(etl_url, registry.get("wifi_spots"), [good, bad], LoadOptions())
    assert report.version is not None and report.rows_loaded == 1
    files = {f["name"]: f for f in report.as_json()["files"]}
    assert files["bad.csv"]["error"] == 'cannot be read (KeyError: "a library\'s surprise")'
    assert "Traceback (most recent call last)" in files["bad.csv"]["traceback"]
    assert "rejected: cannot be read (KeyError" in report.summary()
    assert "Traceback" not in report.summary()
    assert files["good.csv"]["traceback"] is None


def test_a_bug_in_kasane_load_is_one_line_and_a_traceback_file(
    etl_url: str, tmp_path: Path
) -> None:
    """A failure nobody foresaw (simulated: the load itself raises KeyError): one line on the
    screen, exit 1, the traceback in the JSON report."""
    sample = tmp_path / "x.csv"
    sample.write_text(HEADER + "352039,ok,34.18,131.47,a\n", "utf-8")
    report = tmp_path / "r.json"
    script = (
        "import sys, kasane.cmd_load as c\n"
        "def broken(*args, **kwargs): raise KeyError('surprise')\n"
        "c.load = broken\n"
        "from kasane.cli import main\n"
        "main(sys.argv[1:])\n"
    )
    args = ["load", "wifi_spots", str(sample), "--report", str(report)]
    proc = subprocess.run([sys.executable, "-c", script, *args], cwd=REPO, capture_output=True,
                          text=True, timeout=120,
                          env={**os.environ, "KASANE_DATABASE_URL": etl_url})  # fmt: skip
    assert proc.returncode == 1
    assert "Traceback" not in proc.stdout + proc.stderr
    assert proc.stderr.strip() == (
        "kasane: error: the load failed (KeyError: 'surprise'); nothing was published. The"
        f" traceback for the developers: {report}"
    )
    data = json.loads(report.read_text("utf-8"))
    assert data["outcome"] == "failed: KeyError: 'surprise'"
    assert "Traceback (most recent call last)" in data["traceback"]
