"""A file loaded chunk by chunk gives the same version as if it were read whole: repeated ids
are found across chunks (the first wins), fids run on, the bbox covers every chunk."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import etl.read_inputs
from etl.load import LoadOptions, load
from gis.layerstore.registry import LayerRegistry
from gis.platform.db import connect

IDS = ["A1", "A2", "A3", "A4", "A2", "A5", "A6", "A7", "A8", "A3", "A9", "B1", "B2", "A1",
       "B3", "B4", "B5", "B6", "B7", "B8", "B3", "B9", "C1"]  # fmt: skip
NULL_AT = {9, 16}  # 1-based feature numbers whose geometry is null


def _shelters(path: Path) -> list[dict[str, object]]:
    features = []
    for n, sid in enumerate(IDS, start=1):
        point = {"type": "Point", "coordinates": [131.40 + n * 0.003, 34.10 + (n % 5) * 0.002]}
        properties = {"shelter_id": sid, "lg_code": "352039", "name": f"避難所{n}",
                      "kind": "shelter", "capacity": n * 10}  # fmt: skip
        geometry = None if n in NULL_AT else point
        features.append({"type": "Feature", "properties": properties, "geometry": geometry})
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), "utf-8")
    return features


def _expected(features: list[dict[str, object]]) -> tuple[dict[int, str], list[int]]:
    """Rejections (row -> reason) and kept rows, by reading the features in order."""
    rejected: dict[int, str] = {}
    first: dict[object, int] = {}
    kept = []
    for n, feature in enumerate(features, start=1):
        sid = feature["properties"]["shelter_id"]  # type: ignore[index]
        if feature["geometry"] is None:
            rejected[n] = "no geometry (null)"
        elif sid in first:
            rejected[n] = f"duplicate shelter_id {sid!r} (first in x.geojson row {first[sid]})"
        else:
            first[sid] = n
            kept.append(n)
    return rejected, kept


@pytest.mark.parametrize("chunk_rows", [4, 7, 1000])
def test_chunks_load_like_one_table(
    etl_url: str, registry: LayerRegistry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    chunk_rows: int,
) -> None:  # fmt: skip
    monkeypatch.setattr(etl.read_inputs, "CHUNK_ROWS", chunk_rows)
    source = tmp_path / "x.geojson"
    features = _shelters(source)
    rejected, kept = _expected(features)
    report = load(etl_url, registry.get("shelters"), [source], LoadOptions(force=True))
    issues = {i.row: i.reason for f in report.files for i in f.issues if i.action == "rejected"}
    assert issues == rejected
    assert report.rows_loaded == len(kept) and report.rows_rejected == len(rejected)
    coords = [features[n - 1]["geometry"]["coordinates"] for n in kept]  # type: ignore[index]
    with connect(etl_url) as conn:
        served = conn.execute(
            "SELECT fid, name, ST_X(geom), ST_Y(geom) FROM layer_data.shelters ORDER BY fid"
        ).fetchall()
        bbox = conn.execute(
            "SELECT v.bbox FROM kasane.layer_versions v JOIN kasane.layer_current c"
            " USING (layer_id, version) WHERE layer_id = 'shelters'"
        ).fetchone()
    assert [r[0] for r in served] == list(range(1, len(kept) + 1))
    assert [r[1] for r in served] == [f"避難所{n}" for n in kept]
    flat = [v for r in served for v in (r[2], r[3])]
    assert flat == pytest.approx([v for c in coords for v in c])
    xs, ys = [c[0] for c in coords], [c[1] for c in coords]
    assert bbox is not None
    assert bbox[0] == pytest.approx([min(xs), min(ys), max(xs), max(ys)])


def test_a_file_whose_rows_are_all_rejected_changes_nothing(
    etl_url: str, registry: LayerRegistry, tmp_path: Path
) -> None:
    source = tmp_path / "none.geojson"
    source.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"shelter_id": "Z", "lg_code": "352039", "name": "z"},
         "geometry": None}]}), "utf-8")  # fmt: skip
    with connect(etl_url) as conn:
        before = conn.execute("SELECT count(*) FROM kasane.layer_versions").fetchone()
    report = load(etl_url, registry.get("shelters"), [source], LoadOptions(force=True))
    assert report.outcome == "nothing to load" and report.version is None
    with connect(etl_url) as conn:
        after = conn.execute("SELECT count(*) FROM kasane.layer_versions").fetchone()
    assert after == before
