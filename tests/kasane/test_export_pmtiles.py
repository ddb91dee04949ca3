"""`kasane export pmtiles`: the archive, read back with the `pmtiles` reader, holds exactly the
tiles `/tiles/…` serves (same bytes at every address; none where the server answers 204)."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import pytest
from pmtiles.reader import MemorySource, Reader, all_tiles
from pmtiles.tile import Compression, TileType

from gis.ogc.pmtiles_export import addresses
from tests.kasane.test_cli import kasane, one_line_error

LAYERS = "flood_depth,landslide_zones,shelters"


def _read(path: Path) -> tuple[Reader, Any]:
    source = MemorySource(path.read_bytes())
    return Reader(source), source


def _export(database_url: str, out: Path, *args: str) -> str:
    result = kasane(
        "export", "pmtiles", LAYERS, "-o", str(out), *args, KASANE_DATABASE_URL=database_url
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout


def test_every_tile_equals_what_the_server_serves(
    client, database_url, demo_loaded, tmp_path: Path
) -> None:
    out = tmp_path / "hazards.pmtiles"
    said = _export(database_url, out, "--minzoom", "5", "--maxzoom", "13")
    assert f"wrote {out}" in said
    reader, mapped = _read(out)
    header = reader.header()
    assert header["tile_type"] == TileType.MVT
    assert header["tile_compression"] == Compression.GZIP
    meta = reader.metadata()
    assert [v["id"] for v in meta["vector_layers"]] == LAYERS.split(",")
    assert meta["attribution"]
    west, south, east, north = meta["bounds"]
    tilejson = client.get(f"/tiles/{LAYERS}.json").get_json()
    assert meta["vector_layers"] == tilejson["vector_layers"]
    assert meta["bounds"] == pytest.approx(tilejson["bounds"])

    served: dict[tuple[int, int, int], bytes] = {}
    for z, x, y in addresses((west, south, east, north), 5, 13):
        answer = client.get(f"/tiles/{LAYERS}/{z}/{x}/{y}.mvt")
        assert answer.status_code in (200, 204)
        stored = reader.get(z, x, y)
        if answer.status_code == 204:
            assert stored is None, f"{z}/{x}/{y}: the server has no tile, the archive has one"
            continue
        assert stored is not None, f"{z}/{x}/{y}: missing from the archive"
        assert gzip.decompress(stored) == answer.data, f"{z}/{x}/{y} differs"
        served[(z, x, y)] = answer.data
    assert len(served) > 40  # the comparison covered real content at every zoom
    assert {z for z, _, _ in served} == set(range(5, 14))

    # nothing else is in the archive, and repeated tiles are stored once
    stored_all = {zxy: gzip.decompress(data) for zxy, data in all_tiles(mapped)}
    assert stored_all == served
    assert header["addressed_tiles_count"] == len(served)
    assert header["tile_contents_count"] == len(set(served.values()))


def test_uncompressed_archive_holds_the_served_bytes(
    client, database_url, demo_loaded, tmp_path: Path
) -> None:
    out = tmp_path / "raw.pmtiles"
    _export(database_url, out, "--minzoom", "9", "--maxzoom", "9", "--compression", "none")
    reader, mapped = _read(out)
    assert reader.header()["tile_compression"] == Compression.NONE
    tiles = list(all_tiles(mapped))
    assert tiles
    for (z, x, y), data in tiles:
        assert data == client.get(f"/tiles/{LAYERS}/{z}/{x}/{y}.mvt").data


def test_bbox_limits_the_archive(database_url, demo_loaded, tmp_path: Path) -> None:
    whole, part = tmp_path / "whole.pmtiles", tmp_path / "part.pmtiles"
    _export(database_url, whole, "--minzoom", "13", "--maxzoom", "13")
    reader, _ = _read(whole)
    w, s, e, n = reader.metadata()["bounds"]
    half = f"{w},{s},{(w + e) / 2},{n}"
    _export(database_url, part, "--minzoom", "13", "--maxzoom", "13", "--bbox", half)
    part_reader, part_mapped = _read(part)
    assert part_reader.metadata()["bounds"][2] == pytest.approx((w + e) / 2)
    whole_ids = {zxy for zxy, _ in all_tiles(_read(whole)[1])}
    part_ids = {zxy for zxy, _ in all_tiles(part_mapped)}
    assert part_ids and part_ids < whole_ids


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["no_such_layer"], "no_such_layer"),
        ([LAYERS, "--bbox", "1,2,3"], "four numbers"),
        ([LAYERS, "--bbox", "0,0,1,1"], "does not overlap"),
        ([LAYERS, "--minzoom", "12", "--maxzoom", "3"], "zoom range"),
    ],
)
def test_bad_requests_are_one_line(
    database_url, demo_loaded, tmp_path: Path, args: list[str], says: str
) -> None:
    out = tmp_path / "x.pmtiles"
    line = one_line_error(
        kasane("export", "pmtiles", *args, "-o", str(out), KASANE_DATABASE_URL=database_url)
    )
    assert says in line
    assert not out.exists()
    assert not list(tmp_path.iterdir())  # no half-written temporary left behind
