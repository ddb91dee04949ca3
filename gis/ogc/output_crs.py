"""Coordinate reference systems of the OGC API: which are offered, their URIs and axis order.

Offered: CRS84 (lon/lat, the default), EPSG:4326 and JGD2011 EPSG:6668 (lat/lon, as EPSG
defines them), Web Mercator EPSG:3857 and the 19 JGD2011 plane-rectangular zones
EPSG:6669-6687 (whose EPSG axis order is X = northing first). Coordinates are written in each
CRS's own axis order, as OGC API - Features Part 2 requires.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from pyproj import CRS

from gis.platform.errors import BadRequest

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG_URI = "http://www.opengis.net/def/crs/EPSG/0/"
OFFERED_EPSG = (4326, 6668, 3857, *range(6669, 6688))


@dataclass(frozen=True)
class OutputCrs:
    """A CRS a client may ask for: PostGIS SRID, URI, axis order and output precision."""

    srid: int
    uri: str
    north_first: bool
    decimals: int


@cache
def _epsg(code: int) -> OutputCrs:
    crs = CRS.from_epsg(code)
    north_first = crs.axis_info[0].direction.lower() == "north"
    decimals = 7 if crs.is_geographic else 3
    return OutputCrs(code, f"{EPSG_URI}{code}", north_first, decimals)


DEFAULT = OutputCrs(4326, CRS84, False, 7)


def offered_uris() -> list[str]:
    """Every CRS URI the API accepts, the default first."""
    return [CRS84, *(f"{EPSG_URI}{code}" for code in OFFERED_EPSG)]


def parse_crs(text: str | None, *, parameter: str = "crs") -> OutputCrs:
    """An offered CRS from a URI, ``EPSG:nnnn``, a bare code or ``CRS84``; BadRequest otherwise."""
    if text is None or not text.strip() or text.strip() in (CRS84, "CRS84", "OGC:CRS84"):
        return DEFAULT
    value = text.strip().strip("[]")
    code_text = value.rsplit("/", 1)[-1] if value.startswith("http") else value
    code_text = code_text.upper().removeprefix("EPSG:")
    if value.startswith("http") and not value.startswith(EPSG_URI):
        code_text = ""
    if code_text.isdigit() and int(code_text) in OFFERED_EPSG:
        return _epsg(int(code_text))
    raise BadRequest(
        f"{parameter}={text!r} is not offered; use one of: {', '.join(offered_uris())}"
    )
