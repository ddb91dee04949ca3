"""GeoPackages read straight from SQLite: no GDAL, no data-frame library.

A GeoPackage is an SQLite database whose geometry cells are a small header (``GP``, version,
flags, SRS id, an optional envelope) followed by standard WKB. The common case, one feature
table of simple-feature geometries, is read here with the standard library's ``sqlite3`` and
shapely, a chunk of rows at a time; that spares a load the start-up of pyogrio (which imports
pandas, geopandas and pyarrow) and its copies of the data. Anything else (several feature
tables, curves, Z or M coordinates, an ``--encoding``) returns None from
:func:`open_geopackage`, and the file is read by pyogrio as before.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, cast

import numpy as np
import shapely
from pyproj import CRS

from etl.readers import Table, to_wgs84
from etl.readers.csv_text import normalize_header
from etl.readers.wkb_parse import parse_wkb
from etl.wkb_columns import POINT_WKB
from gis.geo.crs import resolve_crs
from gis.platform.errors import LoadError

SIMPLE_TYPES = {"POINT", "LINESTRING", "POLYGON", "MULTIPOINT", "MULTILINESTRING",
                "MULTIPOLYGON", "GEOMETRYCOLLECTION", "GEOMETRY"}  # fmt: skip
_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}
_EXTENDED, _EMPTY = 0x20, 0x10
_CRS84 = "OGC:CRS84"


@dataclass
class _Column:
    name: str  # as in the file
    label: str  # as the load shows it (NFKC, stripped)
    declared: str  # the SQLite type declared for it, upper case


@dataclass
class GeoPackageFile:
    """One feature table of a GeoPackage, read in chunks by :meth:`tables`."""

    path: Path
    table: str
    geometry: str
    columns: list[_Column]
    order_by: str | None
    crs: CRS
    count: int
    encoding: str = "utf-8"  # GeoPackage text is UTF-8 by definition

    def __len__(self) -> int:
        return self.count

    def tables(self, max_rows: int | None = None, max_bytes: int | None = None) -> Iterator[Table]:
        """The features as tables of at most ``max_rows`` rows and about ``max_bytes`` of
        geometry each (at least one row); without limits, one table."""
        names = ", ".join(_quoted(c) for c in [self.geometry, *(c.name for c in self.columns)])
        order = f" ORDER BY {_quoted(self.order_by)}" if self.order_by else ""
        statement = f"SELECT {names} FROM {_quoted(self.table)}{order}"  # names quoted
        with _connect(self.path) as db:
            cursor = db.execute(statement)
            first_row = 1
            while True:
                try:
                    batch = cursor.fetchmany(max_rows or 1 << 62)
                except sqlite3.Error as err:  # e.g. text that is not UTF-8
                    raise self._bad_text(statement, first_row) or LoadError(
                        f"rows from {first_row} on: {err}"
                    ) from None
                if not batch and first_row > 1:
                    return
                for part in _by_bytes(batch, max_bytes):
                    yield self._table(part, first_row)
                    first_row += len(part)
                if not batch:
                    return

    def _bad_text(self, statement: str, first_row: int) -> LoadError | None:
        """The first text cell from ``first_row`` on that is not UTF-8, as a LoadError that
        names its row and column (SQLite's own message mangles the column's name)."""
        with _connect(self.path) as db:
            db.text_factory = bytes
            cursor = db.execute(statement)
            for number, row in enumerate(cursor, start=1):
                if number < first_row:
                    continue
                for column, cell in zip(self.columns, row[1:], strict=True):
                    if isinstance(cell, bytes) and column.declared != "BLOB":
                        try:
                            cell.decode("utf-8")
                        except UnicodeDecodeError:
                            return LoadError(
                                f"row {number}, field {column.label}: text that is not UTF-8"
                                " (a GeoPackage's text is UTF-8)"
                            )
        return None

    def _table(self, batch: list[tuple[Any, ...]], first_row: int) -> Table:
        cells = list(zip(*batch, strict=True)) if batch else [()] * (len(self.columns) + 1)
        rows = np.arange(first_row, first_row + len(batch), dtype=np.int64)
        notes: list[tuple[int, str, str]] = []
        read, wkb = geometries_and_wkb(list(cells[0]), rows, notes)
        geometry = to_wgs84(read, self.crs)
        pairs = zip(self.columns, cells[1:], strict=True)
        columns = {c.label: _typed(list(v), c.declared) for c, v in pairs}
        as_read = wkb if geometry is read else None  # WKB in EPSG:4326 only when not moved
        return Table(columns, rows, geometry, self.encoding, self.crs, wkb=as_read,
                     problems=notes)  # fmt: skip


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@contextlib.contextmanager
def _connect(path: Path) -> Iterator[sqlite3.Connection]:
    """The GeoPackage opened read-only, closed at the end (sqlite3's own ``with`` only ends
    the transaction)."""
    db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        yield db
    finally:
        db.close()


def _by_bytes(batch: list[tuple[Any, ...]], max_bytes: int | None) -> Iterator[list[Any]]:
    """``batch`` in parts of about ``max_bytes`` of geometry (at least one row each)."""
    blobs = [r[0] or b"" for r in batch]
    if max_bytes is None or sum(map(len, blobs)) <= max_bytes:
        yield batch
        return
    ends = np.cumsum(np.fromiter(map(len, blobs), np.int64, count=len(blobs)))
    start = 0
    while start < len(batch):
        base = ends[start - 1] if start else 0
        stop = max(start + 1, int(np.searchsorted(ends, base + max_bytes, side="right")))
        yield batch[start:stop]
        start = stop


def geometries(blobs: list[bytes | None], rows: np.ndarray) -> np.ndarray:
    """Shapely geometries of GeoPackage geometry cells (None stays None)."""
    return geometries_and_wkb(blobs, rows)[0]


def geometries_and_wkb(
    blobs: list[bytes | None], rows: np.ndarray, notes: list[tuple[int, str, str]] | None = None
) -> tuple[np.ndarray, np.ndarray | None]:
    """Shapely geometries of GeoPackage geometry cells (None stays None), and each cell's WKB
    (None when the cells are points, which the writer encodes faster from coordinates).

    Cells of one layout holding 2D little-endian points with finite coordinates (what GDAL
    writes for a point layer) become points straight from their bytes; the others are parsed
    by shapely from the WKB after each header. A cell that cannot be read (or was repaired,
    see :mod:`etl.readers.wkb_parse`) is added to ``notes`` as (row, reason, action); an
    unreadable one becomes None.
    """
    present = cast(list[bytes], blobs)  # when None is not in blobs
    if blobs and None not in blobs:
        width = len(present[0])
        head = width - POINT_WKB.itemsize
        if head >= 8 and set(map(len, present)) == {width}:  # one pass in C
            raw = np.frombuffer(b"".join(present), dtype=np.uint8).reshape(len(blobs), width)
            alike = (raw[:, :4] == raw[0, :4]).all()  # magic, version, flags
            if alike and _header_or_none(bytes(raw[0, :8])) == head:
                records = raw[:, head:].copy().view(POINT_WKB)[:, 0]
                coords = np.column_stack([records["x"], records["y"]])
                plain = (records["order"] == 1).all() and (records["type"] == 1).all()
                if plain and np.isfinite(coords).all() and not raw[0, 3] & _EMPTY:
                    return np.asarray(shapely.points(coords), dtype=object), None
    found: list[tuple[int, str, str]] = []
    wkb = np.empty(len(blobs), dtype=object)
    if blobs and None not in blobs and len({b[:4] for b in present}) == 1:  # one header layout
        try:
            head = _header_bytes(present[0], int(rows[0]))
            wkb[:] = [b[head:] for b in present]
        except LoadError:
            wkb[:] = None
    if not blobs or wkb[0] is None:
        for i, blob in enumerate(blobs):
            if blob is None:
                continue
            try:
                wkb[i] = blob[_header_bytes(blob, int(rows[i])) :]
            except LoadError as err:
                found.append((i, str(err).split(": ", 1)[-1], "rejected"))
    geoms, parsed = parse_wkb(wkb)
    found += parsed
    if found:
        wkb = wkb.copy()
        for i, _, _ in found:
            wkb[i] = None  # repaired or unread: the writer encodes the geometry again
    if notes is not None:
        notes += [(int(rows[i]), reason, action) for i, reason, action in found]
    return geoms, wkb


def _header_or_none(blob: bytes) -> int | None:
    try:
        return _header_bytes(blob)
    except LoadError:
        return None


def _header_bytes(blob: bytes, row: int = 0) -> int:
    """The length of a geometry cell's GeoPackage header (where its WKB starts)."""
    if len(blob) < 8 or blob[:2] != b"GP":
        raise LoadError(f"row {row}: the geometry is not a GeoPackage geometry")
    flags = blob[3]
    if flags & _EXTENDED:
        raise LoadError(f"row {row}: an extended GeoPackage geometry (curves are not supported)")
    envelope = _ENVELOPE_BYTES.get((flags >> 1) & 0x07)
    if envelope is None:
        raise LoadError(f"row {row}: the geometry's header is invalid (envelope code)")
    return 8 + envelope


def _typed(values: list[Any], declared: str) -> list[Any]:
    """SQLite values as GDAL gives them for the declared type: booleans from 0/1, date-times
    parsed from their ISO 8601 text (left as text when they do not parse); dates stay text."""
    if declared == "BOOLEAN":  # text ('false') is left to the field's rules to read
        return [v if v is None or isinstance(v, str) else bool(v) for v in values]
    if declared == "DATETIME":
        return [_datetime(v) for v in values]
    return values


def _datetime(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return value


def open_geopackage(path: Path, *, encoding: str | None, crs: str | None) -> GeoPackageFile | None:
    """The GeoPackage's feature table ready to read, or None when it is a case for pyogrio
    (see the module doc). ``crs`` (``--crs``) replaces the file's own CRS."""
    if encoding:
        return None
    try:
        with _connect(path) as db:
            return _describe(path, db, crs)
    except sqlite3.Error:
        return None  # not a database SQLite can read: GDAL says what is wrong with it


def _describe(path: Path, db: sqlite3.Connection, override: str | None) -> GeoPackageFile | None:
    layers = db.execute(
        "SELECT c.table_name, g.column_name, upper(g.geometry_type_name), g.srs_id, g.z, g.m"
        " FROM gpkg_contents c JOIN gpkg_geometry_columns g"
        " ON lower(g.table_name) = lower(c.table_name) WHERE c.data_type = 'features'"
    ).fetchall()
    if len(layers) != 1:
        return None
    table, geometry, kind, srs_id, z, m = layers[0]
    if kind not in SIMPLE_TYPES or z or m:
        return None
    info = db.execute(f"PRAGMA table_info({_quoted(table)})").fetchall()
    integer_key = [r[1] for r in info if r[5] == 1 and str(r[2]).upper() == "INTEGER"]
    columns = [
        _Column(r[1], normalize_header(str(r[1])), str(r[2]).upper())
        for r in info
        if r[1] != geometry and r[1] not in integer_key
    ]
    labels = [c.label for c in columns]
    if len(set(labels)) != len(labels):  # two names alike once normalised: let GDAL say
        return None
    the_crs = _crs(db, srs_id, override)
    if the_crs is None:
        return None
    count = db.execute(f"SELECT count(*) FROM {_quoted(table)}").fetchone()[0]
    order = integer_key[0] if integer_key else None
    return GeoPackageFile(path, table, geometry, columns, order, the_crs, int(count))


def _crs(db: sqlite3.Connection, srs_id: int, override: str | None) -> CRS | None:
    """``--crs``, else the table's SRS (EPSG code, else its WKT); an undefined SRS is taken
    as lon/lat, as for the other vector formats. None: not one pyproj knows."""
    if override:
        try:
            return resolve_crs(override)
        except ValueError as err:
            raise LoadError(str(err)) from None
    row = db.execute(
        "SELECT upper(organization), organization_coordsys_id, definition"
        " FROM gpkg_spatial_ref_sys WHERE srs_id = ?",
        (srs_id,),
    ).fetchone()
    try:
        if row is None or srs_id in (0, -1):
            return CRS.from_user_input(_CRS84)
        organization, code, definition = row
        if organization == "EPSG":
            return CRS.from_epsg(int(code))
        return CRS.from_wkt(str(definition))
    except Exception:  # pyproj's CRSError, or a code that is not a number
        return None
