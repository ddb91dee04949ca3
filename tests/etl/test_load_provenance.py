"""A load records each file's sha256 (hashed beside the load when it cannot be a no-op), and
loading the same files again is a no-op unless forced."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from gis.platform.db import connect
from tests.etl.conftest import run_load


def _spots(path: Path, name: str) -> None:
    features = [
        {"type": "Feature", "properties": {"name": f"{name} {i}", "lg_code": "352039"},
         "geometry": {"type": "Point", "coordinates": [131.4 + i * 0.001, 34.1]}}
        for i in range(5)
    ]  # fmt: skip
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), "utf-8")


def _recorded(url: str) -> list[tuple[str, int]]:
    with connect(url) as conn:
        row = conn.execute(
            "SELECT v.source_files FROM kasane.layer_current c JOIN kasane.layer_versions v"
            " USING (layer_id, version) WHERE c.layer_id = 'wifi_spots'"
        ).fetchone()
    assert row is not None
    return [(f["sha256"], f["bytes"]) for f in row[0]]


def test_sha256_recorded_and_reload_is_a_no_op(etl_url: str, tmp_path: Path) -> None:
    source, report = tmp_path / "spots.geojson", tmp_path / "report.json"
    for name in ("first", "other"):  # same size, other content: hashed before loading
        _spots(source, name[:5])
        expected = hashlib.sha256(source.read_bytes()).hexdigest()
        proc = run_load(etl_url, "wifi_spots", str(source), "--report", str(report), check=True)
        assert "loaded 5 features" in proc.stdout
        assert _recorded(etl_url) == [(expected, source.stat().st_size)]
        assert json.loads(report.read_text("utf-8"))["files"][0]["sha256"] == expected
    again = run_load(etl_url, "wifi_spots", str(source), check=True)
    assert "unchanged" in again.stdout
    forced = run_load(etl_url, "wifi_spots", str(source), "--force", "--report", str(report),
                      check=True)  # fmt: skip
    assert "loaded 5 features" in forced.stdout  # hashed in a thread beside the load
    assert json.loads(report.read_text("utf-8"))["files"][0]["sha256"] == expected
    assert _recorded(etl_url) == [(expected, source.stat().st_size)]
