"""`kasane basemap import`: PMTiles and MBTiles archives (made here) are checked, converted to
PMTiles and published atomically; files that are not basemaps get one clear line."""

from __future__ import annotations

from pathlib import Path

import pytest
from pmtiles.reader import MemorySource, Reader

from gis.platform import basemap
from tests.basemap_files import make_mbtiles, make_pmtiles
from tests.kasane.test_cli import kasane


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
