"""`kasane basemap import` and the archive Kasane serves itself: PMTiles and MBTiles (made here,
with the `pmtiles` writer and sqlite3), tiles by z/x/y with ETag, the whole file with HTTP Range,
and clear one-line errors for files that are not basemaps."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from pmtiles.reader import MemorySource, Reader
from pmtiles.tile import Compression, TileType, zxy_to_tileid
from pmtiles.writer import write

from gis import basemap
from tests.test_cli import kasane

# the demo data's corner of Yamaguchi, for tiles that cover it
BOUNDS = (131.2, 33.9, 131.8, 34.4)


def png(rgb: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (256, 256), rgb).save(out, format="PNG")
    return out.getvalue()


def tiles_over(
    bounds: tuple[float, float, float, float], zooms: range
) -> list[tuple[int, int, int]]:
    import math

    def xy(lon: float, lat: float, z: int) -> tuple[int, int]:
        n = 2**z
        y = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
        return int((lon + 180) / 360 * n), int(y)

    found = []
    for z in zooms:
        x0, y0 = xy(bounds[0], bounds[3], z)
        x1, y1 = xy(bounds[2], bounds[1], z)
        found += [(z, x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]
    return found


def make_pmtiles(path: Path, rgb: tuple[int, int, int] = (200, 0, 200), max_zoom: int = 12) -> dict:
    """A raster PMTiles archive whose tiles over :data:`BOUNDS` are one colour; returns
    {(z, x, y): bytes} of what it holds."""
    data = png(rgb)
    held = {t: data for t in tiles_over(BOUNDS, range(0, max_zoom + 1))}
    with write(str(path)) as writer:
        for z, x, y in sorted(held, key=lambda t: zxy_to_tileid(*t)):
            writer.write_tile(zxy_to_tileid(z, x, y), data)
        writer.finalize(
            {
                "tile_type": TileType.PNG,
                "tile_compression": Compression.NONE,
                "min_zoom": 0,
                "max_zoom": max_zoom,
                "min_lon_e7": int(BOUNDS[0] * 1e7),
                "min_lat_e7": int(BOUNDS[1] * 1e7),
                "max_lon_e7": int(BOUNDS[2] * 1e7),
                "max_lat_e7": int(BOUNDS[3] * 1e7),
                "center_zoom": 9,
                "center_lon_e7": int(131.5 * 1e7),
                "center_lat_e7": int(34.15 * 1e7),
            },
            {"attribution": "Test basemap (made in the test)"},
        )
    return held


def make_mbtiles(path: Path) -> dict:
    """An MBTiles archive (TMS rows, as the spec says) of three PNG tiles."""
    held = {(0, 0, 0): png((10, 20, 30)), (1, 1, 0): png((40, 50, 60)), (2, 3, 1): png((1, 2, 3))}
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE metadata (name text, value text)")
        conn.execute(
            "CREATE TABLE tiles (zoom_level int, tile_column int, tile_row int, tile_data blob)"
        )
        conn.executemany(
            "INSERT INTO metadata VALUES (?, ?)",
            [("format", "png"), ("minzoom", "0"), ("maxzoom", "2"), ("attribution", "MB test")],
        )
        conn.executemany(
            "INSERT INTO tiles VALUES (?, ?, ?, ?)",
            [(z, x, (1 << z) - 1 - y, data) for (z, x, y), data in held.items()],
        )
    return held


def test_import_pmtiles_then_read_every_tile(tmp_path: Path) -> None:
    source = tmp_path / "prefecture.pmtiles"
    held = make_pmtiles(source)
    info = basemap.import_archive(source, tmp_path / "home")
    assert (info.tile_type, info.min_zoom, info.max_zoom) == ("png", 0, 12)
    assert info.attribution == "Test basemap (made in the test)"
    assert basemap.current(tmp_path / "home") == info
    archive = basemap.open_archive(tmp_path / "home", info.etag)
    for (z, x, y), data in held.items():
        assert archive.tile(z, x, y) == data
    assert archive.tile(12, 0, 0) is None


def test_import_mbtiles_converts_to_pmtiles_with_xyz_rows(tmp_path: Path) -> None:
    source = tmp_path / "old.mbtiles"
    held = make_mbtiles(source)
    info = basemap.import_archive(source, tmp_path / "home")
    assert (info.tile_type, info.max_zoom, info.attribution) == ("png", 2, "MB test")
    stored = (basemap.basemap_dir(tmp_path / "home") / basemap.ARCHIVE).read_bytes()
    reader = Reader(MemorySource(stored))  # an independent read of the published file
    for (z, x, y), data in held.items():
        assert reader.get(z, x, y) == data


def test_a_new_import_replaces_the_old_one(tmp_path: Path) -> None:
    first = tmp_path / "a.pmtiles"
    second = tmp_path / "b.pmtiles"
    make_pmtiles(first, (255, 0, 0), max_zoom=6)
    held = make_pmtiles(second, (0, 0, 255), max_zoom=7)
    one = basemap.import_archive(first, tmp_path / "home")
    two = basemap.import_archive(second, tmp_path / "home")
    assert one.etag != two.etag
    assert basemap.current(tmp_path / "home") == two
    z, x, y = next(iter(held))
    assert basemap.open_archive(tmp_path / "home", two.etag).tile(z, x, y) == held[(z, x, y)]
    names = {p.name for p in basemap.basemap_dir(tmp_path / "home").iterdir()}
    assert names == {basemap.ARCHIVE, basemap.DESCRIPTION}  # no temporary file left behind


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<html>not a map</html>", "not a PMTiles or MBTiles archive"),
        (b"PMTiles\x03" + b"\x00" * 20, "not a readable PMTiles v3 archive"),
        (b"SQLite format 3\x00" + b"\x00" * 200, "not MBTiles"),
    ],
)
def test_cli_rejects_a_file_that_is_no_basemap(
    tmp_path: Path, content: bytes, message: str
) -> None:
    bad = tmp_path / "bad.pmtiles"
    bad.write_bytes(content)
    done = kasane("basemap", "import", str(bad), KASANE_HOME=str(tmp_path / "home"))
    assert done.returncode == 1
    assert done.stderr.startswith("kasane: error: ")
    assert str(bad) in done.stderr and message in done.stderr
    assert "Traceback" not in done.stderr
    assert not (basemap.basemap_dir(tmp_path / "home") / basemap.ARCHIVE).exists()


def test_cli_imports_shows_and_removes(tmp_path: Path) -> None:
    source = tmp_path / "prefecture.pmtiles"
    make_pmtiles(source, max_zoom=8)
    home = str(tmp_path / "home")
    done = kasane("basemap", "import", str(source), KASANE_HOME=home)
    assert done.returncode == 0, done.stderr
    assert "imported prefecture.pmtiles: png tiles, zoom 0-8" in done.stdout
    shown = kasane("basemap", "show", KASANE_HOME=home)
    assert "prefecture.pmtiles: png, zoom 0-8" in shown.stdout
    assert (
        kasane("basemap", "remove", KASANE_HOME=home).stdout.strip()
        == "removed the basemap archive"
    )
    assert "no archive imported" in kasane("basemap", "show", KASANE_HOME=home).stdout


@pytest.fixture()
def archive_client(settings: Any, tmp_path: Path):  # type: ignore[no-untyped-def]
    from webmap import close, create_app

    source = tmp_path / "prefecture.pmtiles"
    held = make_pmtiles(source, max_zoom=10)
    info = basemap.import_archive(source, tmp_path / "home")
    app = create_app(settings.model_copy(update={"home": tmp_path / "home", "basemap": "auto"}))
    app.testing = True
    yield app.test_client(), held, info
    close(app)


def test_tiles_are_served_with_etag_and_cache_control(archive_client: Any) -> None:
    client, held, _ = archive_client
    (z, x, y), data = next(iter(sorted(held.items(), key=lambda kv: -kv[0][0])))
    response = client.get(f"/basemap/tiles/{z}/{x}/{y}")
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    assert response.data == data
    assert "max-age=" in response.headers["Cache-Control"]
    etag = response.headers["ETag"]
    again = client.get(f"/basemap/tiles/{z}/{x}/{y}", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert client.get("/basemap/tiles/10/0/0").status_code == 204  # outside the archive
    bad = client.get("/basemap/tiles/3/9/0")
    assert bad.status_code == 400 and "does not exist" in bad.get_json()["detail"]


def test_whole_archive_is_served_with_range_and_etag(archive_client: Any, tmp_path: Path) -> None:
    client, _, info = archive_client
    whole = (basemap.basemap_dir(tmp_path / "home") / basemap.ARCHIVE).read_bytes()
    response = client.get("/basemap/basemap.pmtiles", headers={"Range": "bytes=0-126"})
    assert response.status_code == 206
    assert response.data == whole[:127]
    assert response.headers["Content-Range"] == f"bytes 0-126/{len(whole)}"
    etag = response.headers["ETag"]
    assert info.etag in etag
    tail = client.get("/basemap/basemap.pmtiles", headers={"Range": f"bytes={len(whole) - 10}-"})
    assert tail.data == whole[-10:]
    cached = client.get("/basemap/basemap.pmtiles", headers={"If-None-Match": etag})
    assert cached.status_code == 304


def test_pages_use_the_archive_and_no_offsite_host(archive_client: Any) -> None:
    client, _, _ = archive_client
    html = client.get("/map").get_data(as_text=True)
    assert '"mode": "archive"' in html
    assert "/basemap/tiles/{z}/{x}/{y}" in html
    assert "cyberjapandata" not in html  # the online tiles are not used when an archive is


def test_without_archive_the_local_basemap_is_drawn(client: Any, demo_loaded: Any) -> None:
    html = client.get("/map").get_data(as_text=True)
    assert '"local": true' in html
    labels = client.get("/basemap/labels.json").get_json()
    assert labels["tiles"] == "/tiles/admin_boundaries/{z}/{x}/{y}.mvt"
    assert {label["name"] for label in labels["labels"]} >= {"山口市"}
    assert client.get("/basemap/basemap.pmtiles").status_code == 404
