"""``kasane export pmtiles``: a PMTiles v3 archive of exactly the tiles ``/tiles/…`` serves.

Every tile is made by :func:`gis.ogc.tiles.tile` — the function behind the server's tile views —
with the same served versions and feature cap, so the same SQL, band copies, simplification and
clipping apply and a tile read back from the archive has the bytes the server answers (after
gunzip when the archive is gzip-compressed, the default: PMTiles clients decompress it).

Tiles the server answers with 204 (no feature) are left out of the archive, and repeated tiles
(the same bytes, e.g. the inside of one large zone) are stored once (the ``pmtiles`` writer's
deduplication). The archive is written beside the target and renamed over it, so a web server
never serves a half-written file.
"""

from __future__ import annotations

import gzip
import math
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pmtiles.tile import Compression, TileType, zxy_to_tileid
from pmtiles.writer import Writer

from gis.layerstore.layerspec import LayerSpec
from gis.layerstore.storage import Conn
from gis.ogc.tiles import DEFAULT_FEATURE_CAP, MAX_Z, tile, vector_layer
from gis.platform.errors import BadRequest

BBox = tuple[float, float, float, float]
MAX_MERCATOR_LAT = 85.0511287798066
MAX_TILES = 2_000_000  # a guard against a typo such as --maxzoom 22 over a whole prefecture


@dataclass(frozen=True)
class ExportLayer:
    """One layer to export: its spec, the served version and that version's bbox (lon/lat)."""

    spec: LayerSpec
    version: int
    bbox: BBox | None


@dataclass(frozen=True)
class ExportResult:
    """What was written."""

    path: Path
    addressed: int  # tiles looked at
    written: int  # tiles with features (the others answer 204 and are left out)
    unique: int  # distinct tile contents stored
    size: int  # bytes of the archive
    min_zoom: int
    max_zoom: int
    bounds: BBox


def _clamp(bbox: BBox) -> BBox:
    w, s, e, n = bbox
    return (
        max(-180.0, w),
        max(-MAX_MERCATOR_LAT, s),
        min(180.0, e),
        min(MAX_MERCATOR_LAT, n),
    )


def tile_span(bbox: BBox, z: int) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1), inclusive, of the tiles of zoom ``z`` that ``bbox`` touches."""
    w, s, e, n = _clamp(bbox)
    count = 1 << z

    def col(lon: float) -> int:
        return min(count - 1, max(0, math.floor((lon + 180.0) / 360.0 * count)))

    def row(lat: float) -> int:
        rad = math.radians(lat)
        y = (1.0 - math.asinh(math.tan(rad)) / math.pi) / 2.0 * count
        return min(count - 1, max(0, math.floor(y)))

    return col(w), row(n), col(e), row(s)


def addresses(bbox: BBox, min_zoom: int, max_zoom: int) -> Iterator[tuple[int, int, int]]:
    """Every ``z/x/y`` touching ``bbox``, in PMTiles tile-id order (a clustered archive)."""
    for z in range(min_zoom, max_zoom + 1):
        x0, y0, x1, y1 = tile_span(bbox, z)
        zoom = [(z, x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]
        zoom.sort(key=lambda a: zxy_to_tileid(*a))
        yield from zoom


def count_tiles(bbox: BBox, min_zoom: int, max_zoom: int) -> int:
    """How many tiles :func:`addresses` yields."""
    total = 0
    for z in range(min_zoom, max_zoom + 1):
        x0, y0, x1, y1 = tile_span(bbox, z)
        total += (x1 - x0 + 1) * (y1 - y0 + 1)
    return total


def union_bbox(layers: Sequence[ExportLayer], within: BBox | None) -> BBox:
    """The layers' bboxes together, cut to ``within`` when given; BadRequest when empty."""
    boxes = [layer.bbox for layer in layers if layer.bbox]
    if not boxes:
        raise BadRequest("the layers have no extent (no rows loaded): nothing to export")
    box = (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )
    if within is not None:
        box = (
            max(box[0], within[0]),
            max(box[1], within[1]),
            min(box[2], within[2]),
            min(box[3], within[3]),
        )
        if box[0] > box[2] or box[1] > box[3]:
            raise BadRequest(f"--bbox {within} does not overlap the layers' extent")
    return box


def zoom_range(
    layers: Sequence[ExportLayer], min_zoom: int | None, max_zoom: int | None
) -> tuple[int, int]:
    """The zooms to export: the layers' own range unless given; BadRequest when inverted."""
    low = min(layer.spec.min_zoom for layer in layers) if min_zoom is None else min_zoom
    high = max(layer.spec.max_zoom for layer in layers) if max_zoom is None else max_zoom
    if not 0 <= low <= high <= MAX_Z:
        raise BadRequest(f"zoom range {low}-{high} is invalid: need 0 <= minzoom <= maxzoom <= 24")
    return low, high


def metadata(layers: Sequence[ExportLayer], bounds: BBox, zooms: tuple[int, int]) -> dict[str, Any]:
    """TileJSON-style metadata, as ``/tiles/{layers}.json`` describes the same layers."""
    return {
        "name": ",".join(layer.spec.id for layer in layers),
        "format": "pbf",
        "type": "overlay",
        "vector_layers": [vector_layer(layer.spec) for layer in layers],
        "attribution": " / ".join(layer.spec.license.attribution.ja for layer in layers),
        "bounds": list(bounds),
        "minzoom": zooms[0],
        "maxzoom": zooms[1],
        "version": ".".join(str(layer.version) for layer in layers),
        "generator": "kasane export pmtiles",
        "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _e7(degrees: float) -> int:
    return round(degrees * 10_000_000)


def _header(bounds: BBox, zooms: tuple[int, int], compression: Compression) -> dict[str, Any]:
    centre = ((bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2)
    return {
        "tile_type": TileType.MVT,
        "tile_compression": compression,
        "min_lon_e7": _e7(bounds[0]),
        "min_lat_e7": _e7(bounds[1]),
        "max_lon_e7": _e7(bounds[2]),
        "max_lat_e7": _e7(bounds[3]),
        "center_zoom": zooms[0],
        "center_lon_e7": _e7(centre[0]),
        "center_lat_e7": _e7(centre[1]),
    }


def export(
    conn: Conn,
    layers: Sequence[ExportLayer],
    out: Path,
    *,
    min_zoom: int | None = None,
    max_zoom: int | None = None,
    bbox: BBox | None = None,
    feature_cap: int = DEFAULT_FEATURE_CAP,
    compress: bool = True,
    progress: Callable[[int], None] | None = None,
) -> ExportResult:
    """Write the archive of ``layers`` to ``out`` (atomically); see the module docstring.

    ``progress`` is called with the number of tiles done since its last call.
    """
    if not layers:
        raise BadRequest("name at least one layer to export")
    zooms = zoom_range(layers, min_zoom, max_zoom)
    bounds = union_bbox(layers, bbox)
    total = count_tiles(bounds, *zooms)
    if total > MAX_TILES:
        raise BadRequest(
            f"{total:,} tiles at zoom {zooms[0]}-{zooms[1]} (more than {MAX_TILES:,}):"
            " lower --maxzoom or give a smaller --bbox"
        )
    pairs = [(layer.spec, layer.version) for layer in layers]
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    written = 0
    try:
        with os.fdopen(fd, "wb") as f:
            writer = Writer(f)
            for z, x, y in addresses(bounds, *zooms):
                body = tile(conn, pairs, z, x, y, feature_cap=feature_cap)
                if body:
                    data = gzip.compress(body, mtime=0) if compress else body
                    writer.write_tile(zxy_to_tileid(z, x, y), data)
                    written += 1
                if progress is not None:
                    progress(1)
            if not written:
                raise BadRequest(
                    f"no tile at zoom {zooms[0]}-{zooms[1]} in {bounds} holds a feature:"
                    " nothing to export"
                )
            unique = len(writer.hash_to_offset)
            compression = Compression.GZIP if compress else Compression.NONE
            writer.finalize(_header(bounds, zooms, compression), metadata(layers, bounds, zooms))
        os.chmod(temp_name, 0o644)
        os.replace(temp_name, out)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return ExportResult(out, total, written, unique, out.stat().st_size, zooms[0], zooms[1], bounds)
