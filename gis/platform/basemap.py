"""The imported basemap archive: one PMTiles file that Kasane serves itself, for closed networks.

``kasane basemap import FILE`` takes a PMTiles (v3) or MBTiles archive, vector (MVT) or raster
(PNG, JPEG, WebP), checks that it can be read and holds tiles, converts MBTiles to PMTiles (the
``pmtiles`` package), and publishes it as ``<KASANE_HOME>/basemap/basemap.pmtiles`` with a small
JSON description beside it. The new file is written next to the old one and renamed over it, so
a server never sees a half-written archive. The server reads tiles straight from the file
(memory-mapped), by ``z/x/y``, and also serves the whole file with HTTP Range requests.
"""

from __future__ import annotations

import hashlib
import json
import mmap
import os
import sqlite3
import tempfile
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import Any

from pmtiles.convert import mbtiles_to_pmtiles
from pmtiles.reader import Reader
from pmtiles.tile import Compression, TileType, deserialize_header

from gis.platform.errors import KasaneError

ARCHIVE = "basemap.pmtiles"
DESCRIPTION = "basemap.json"
# tile type -> (media type, whether Leaflet draws it as an image)
MEDIA_TYPES: dict[TileType, str] = {
    TileType.MVT: "application/vnd.mapbox-vector-tile",
    TileType.PNG: "image/png",
    TileType.JPEG: "image/jpeg",
    TileType.WEBP: "image/webp",
}
SQLITE_MAGIC = b"SQLite format 3\x00"
PMTILES_MAGIC = b"PMTiles"


class BasemapError(KasaneError):
    """A basemap archive that cannot be imported (the message says which file and why)."""


@dataclass(frozen=True)
class BasemapInfo:
    """What the imported archive holds: enough for a page to draw it and credit it."""

    source: str  # the file name it was imported from
    tile_type: str  # "mvt", "png", "jpeg" or "webp"
    media_type: str
    gzip: bool  # tiles are stored gzip-compressed (served with Content-Encoding: gzip)
    min_zoom: int
    max_zoom: int
    bounds: tuple[float, float, float, float]
    attribution: str
    vector_layers: tuple[str, ...]
    etag: str  # changes whenever a new archive is imported
    size: int

    @property
    def vector(self) -> bool:
        """Whether tiles are vector tiles (drawn with a plain style) rather than images."""
        return self.tile_type == "mvt"


def basemap_dir(home: Path) -> Path:
    """Where the imported archive lives under ``KASANE_HOME``."""
    return home / "basemap"


def _to_pmtiles(src: Path, work: Path) -> Path:
    with src.open("rb") as f:
        magic = f.read(16)
    if magic.startswith(PMTILES_MAGIC):
        return src
    if magic != SQLITE_MAGIC:
        raise BasemapError(f"{src}: not a PMTiles or MBTiles archive (the file starts {magic!r})")
    try:
        with sqlite3.connect(f"file:{src}?mode=ro", uri=True) as conn:
            meta = dict(conn.execute("SELECT name, value FROM metadata").fetchall())
    except sqlite3.Error as exc:
        raise BasemapError(f"{src}: an SQLite file but not MBTiles ({exc})") from exc
    missing = [k for k in ("format", "minzoom", "maxzoom") if k not in meta]
    if missing:
        raise BasemapError(f"{src}: MBTiles metadata lacks {', '.join(missing)}")
    out = work / "converted.pmtiles"
    try:
        mbtiles_to_pmtiles(str(src), str(out), None)
    except (sqlite3.Error, TypeError, ValueError) as exc:
        raise BasemapError(f"{src}: cannot read the MBTiles tiles ({exc})") from exc
    return out


def describe(path: Path, origin: Path) -> BasemapInfo:
    """Check that ``path`` (made from the file ``origin``) is a readable PMTiles v3 archive
    with tiles, and describe it."""
    source = str(origin)
    with path.open("rb") as f:
        head = f.read(127)
    if len(head) < 127:
        raise BasemapError(f"{source}: not a readable PMTiles v3 archive (the header is cut short)")
    try:
        header = deserialize_header(head)
    except Exception as exc:  # the library raises its own classes (wrong magic or version)
        why = type(exc).__name__
        raise BasemapError(f"{source}: not a readable PMTiles v3 archive ({why})") from exc
    tile_type = header["tile_type"]
    if tile_type not in MEDIA_TYPES:
        kinds = ", ".join(t.name.lower() for t in MEDIA_TYPES)
        raise BasemapError(f"{source}: tile type {tile_type.name} is not supported ({kinds})")
    if header["addressed_tiles_count"] == 0 and header["tile_entries_count"] == 0:
        raise BasemapError(f"{source}: the archive holds no tiles")
    with path.open("rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
        reader = Reader(lambda offset, length: mapped[offset : offset + length])
        try:
            metadata: dict[str, Any] = reader.metadata()
        except (ValueError, OSError):
            metadata = {}
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    layers = metadata.get("vector_layers") or []
    return BasemapInfo(
        source=origin.name,
        tile_type=tile_type.name.lower(),
        media_type=MEDIA_TYPES[tile_type],
        gzip=header["tile_compression"] == Compression.GZIP,
        min_zoom=header["min_zoom"],
        max_zoom=header["max_zoom"],
        bounds=(
            header["min_lon_e7"] / 1e7,
            header["min_lat_e7"] / 1e7,
            header["max_lon_e7"] / 1e7,
            header["max_lat_e7"] / 1e7,
        ),
        attribution=str(metadata.get("attribution") or ""),
        vector_layers=tuple(str(v.get("id")) for v in layers if isinstance(v, dict)),
        etag=digest.hexdigest()[:32],
        size=path.stat().st_size,
    )


def import_archive(src: Path, home: Path, attribution: str | None = None) -> BasemapInfo:
    """Publish ``src`` as the basemap (replacing any earlier one, atomically)."""
    if not src.is_file():
        raise BasemapError(f"{src}: no such file")
    folder = basemap_dir(home)
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        work = Path(tmp)
        archive = _to_pmtiles(src, work)
        info = describe(archive, src)
        if attribution is not None:
            info = BasemapInfo(**{**asdict(info), "attribution": attribution})
        staged = work / ARCHIVE
        if archive != staged:
            with archive.open("rb") as f_in, staged.open("wb") as f_out:
                while chunk := f_in.read(1 << 20):
                    f_out.write(chunk)
        (work / DESCRIPTION).write_text(json.dumps(asdict(info), ensure_ascii=False), "utf-8")
        os.replace(staged, folder / ARCHIVE)
        os.replace(work / DESCRIPTION, folder / DESCRIPTION)
    return info


def remove(home: Path) -> bool:
    """Remove the imported basemap; whether there was one."""
    folder = basemap_dir(home)
    found = False
    for name in (DESCRIPTION, ARCHIVE):
        try:
            (folder / name).unlink()
            found = True
        except FileNotFoundError:
            pass
    return found


def _load(home: Path) -> BasemapInfo | None:
    try:
        raw = json.loads((basemap_dir(home) / DESCRIPTION).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    raw["bounds"] = tuple(raw["bounds"])
    raw["vector_layers"] = tuple(raw["vector_layers"])
    return BasemapInfo(**raw)


@cache
def _described(home: Path, stamp: int) -> BasemapInfo | None:
    return _load(home)


def current(home: Path) -> BasemapInfo | None:
    """The imported basemap, or None. The description is read again only when a new import
    (by any process) has replaced it."""
    try:
        stamp = (basemap_dir(home) / DESCRIPTION).stat().st_mtime_ns
    except OSError:
        return None
    return _described(home, stamp)


class Archive:
    """Tiles of the imported archive, read from the memory-mapped file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file = path.open("rb")
        self._map = mmap.mmap(self._file.fileno(), 0, access=mmap.ACCESS_READ)
        self._reader = Reader(self._bytes)

    def _bytes(self, offset: int, length: int) -> bytes:
        return self._map[offset : offset + length]

    def tile(self, z: int, x: int, y: int) -> bytes | None:
        """Tile ``z/x/y`` as stored (possibly gzip-compressed), or None when absent."""
        data: bytes | None = self._reader.get(z, x, y)
        return data


@cache
def open_archive(home: Path, etag: str) -> Archive:
    """The archive of ``home`` as imported with ``etag`` (a new import opens the new file)."""
    return Archive(basemap_dir(home) / ARCHIVE)
