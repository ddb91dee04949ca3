"""Basemap archives made in tests: raster PMTiles (the `pmtiles` writer) and MBTiles (sqlite3)."""

from __future__ import annotations

import io
import math
import sqlite3
from pathlib import Path

from PIL import Image
from pmtiles.tile import Compression, TileType, zxy_to_tileid
from pmtiles.writer import write

# the demo data's corner of Yamaguchi, for tiles that cover it
BOUNDS = (131.2, 33.9, 131.8, 34.4)


def png(rgb: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (256, 256), rgb).save(out, format="PNG")
    return out.getvalue()


def tiles_over(
    bounds: tuple[float, float, float, float], zooms: range
) -> list[tuple[int, int, int]]:
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
