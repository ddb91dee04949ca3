"""Source mappers: one per family of source files, each turning a :class:`Table` into the
canonical columns of a layer kind.

A mapper says whether it recognises a table (from its column names, never the file name) and
maps it; :func:`pick` chooses the first that matches, so a file with unknown columns is
rejected with the columns it has and the families it could have been.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely

from etl.readers import Table
from etl.report import FileReport
from etl.validate import RawPoint, parse_coordinates, resolve_points
from gis.layerstore.layerspec import LayerKind
from gis.platform.errors import LoadError


@dataclass
class Mapped:
    """Canonical columns (field name -> values), geometry and source row numbers."""

    columns: dict[str, list[object]]
    geometry: np.ndarray
    rows: np.ndarray
    wkb: np.ndarray | None = None  # the geometries' EPSG:4326 WKB as read (see Table.wkb)


@dataclass
class Context:
    """What a mapper may know besides the table: the input file and the load options."""

    path: Path
    report: FileReport
    options: dict[str, str] = field(default_factory=dict)
    # served municipality outlines by code: (name, outline), for lg_code geometry sources
    areas: dict[str, tuple[str, shapely.Geometry]] = field(default_factory=dict)


@dataclass(frozen=True)
class Source:
    """A family of source files for a layer kind."""

    name: str
    kinds: tuple[LayerKind, ...]
    recognise: Callable[[Table], bool]
    map: Callable[[Table, Context], Mapped]
    whole_file: bool = False  # True: mapping needs every row at once (else: chunk by chunk)


def key(name: str) -> str:
    """A column name reduced for matching: NFKC, lower case, no blanks or punctuation."""
    text = unicodedata.normalize("NFKC", name).lower()
    return re.sub(r"[\s_、,・()（）\[\]「」\-]", "", text)


def column(table: Table, *aliases: str) -> str | None:
    """The table's column whose reduced name equals one of ``aliases`` (first alias wins)."""
    by_key = {key(c): c for c in table.columns}
    return next((by_key[key(a)] for a in aliases if key(a) in by_key), None)


def has(table: Table, *aliases: str) -> bool:
    """True when every alias (each may be ``a|b`` for alternatives) names a column."""
    return all(column(table, *a.split("|")) is not None for a in aliases)


def values(table: Table, *aliases: str) -> list[object]:
    """The column's values, or a list of None when there is no such column."""
    name = column(table, *aliases)
    return list(table.columns[name]) if name else [None] * len(table)


def points_from(table: Table, ctx: Context, lat: Iterable[str], lon: Iterable[str]) -> np.ndarray:
    """Point geometries from latitude/longitude columns under the coordinate rules."""
    lats = values(table, *lat)
    lons = values(table, *lon)
    raw: list[RawPoint] = [
        parse_coordinates(int(r), la, lo) for r, la, lo in zip(table.rows, lats, lons, strict=True)
    ]
    resolved = resolve_points(raw, ctx.report)
    return np.array([shapely.Point(p) if p else None for p in resolved], dtype=object)


def pick(kind: LayerKind, table: Table) -> Source:
    """The source family for this table, or a LoadError naming what was expected."""
    from etl.sources.families import SOURCES

    candidates = [s for s in SOURCES if kind in s.kinds]
    for source in candidates:
        if source.recognise(table):
            return source
    shown = ", ".join(map(str, list(table.columns)[:12]))
    families = "; ".join(s.name for s in candidates) or "none"
    raise LoadError(
        f"columns ({shown}) match no known {kind.value} source",
        hint=f"expected one of: {families}",
    )
