"""Vector files through pyogrio (GDAL): shapefiles, GeoJSON, TopoJSON, GeoPackage.

Shapefiles need care with Japanese data: a ``.dbf`` in Shift_JIS without a ``.cpg`` is read by
GDAL as Latin-1 (mojibake), so the encoding is detected from the records; a missing ``.prj``
means the CRS must be given (``--crs``); ESRI WKT such as ``JGD_2000_Japan_Zone_3`` is
identified to its EPSG code by :func:`gis.geo.crs.resolve_crs`. Everything ends in EPSG:4326 via
:func:`gis.geo.crs.to_wgs84_transformer` (which handles the Tokyo datum safely).
"""

from __future__ import annotations

import contextlib
import re
import shutil
import struct
import warnings
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyogrio
import shapely
from pyproj import CRS

from etl.inputs import Input
from etl.readers import Table, to_wgs84
from etl.readers.csv_text import normalize_header
from etl.readers.wkb_parse import Note, parse_wkb
from etl.sniff import detect_encoding, zip_names
from etl.wkb_columns import POINT_WKB
from gis.geo.crs import resolve_crs
from gis.platform.errors import LoadError

_ENCODING_NAMES = {
    "shift_jis": "cp932", "sjis": "cp932", "cp932": "cp932", "932": "cp932",
    "utf-8": "utf-8", "utf8": "utf-8", "65001": "utf-8", "euc-jp": "euc_jp",
}  # fmt: skip


def _cpg_encoding(text: str) -> str | None:
    return _ENCODING_NAMES.get(text.strip().lower().replace(" ", ""))


def dbf_encoding(dbf: Path) -> str:
    """The text encoding of a ``.dbf``'s records, detected from their bytes."""
    with dbf.open("rb") as handle:
        head = handle.read(32)
        header_len = struct.unpack("<H", head[8:10])[0] if len(head) >= 10 else 0
        handle.seek(32)
        fields = handle.read(max(header_len - 32, 0))
        handle.seek(header_len)
        records = handle.read(1 << 20)
    return detect_encoding(fields + records)


def shapefile_encoding(item: Input, override: str | None) -> str:
    """``--encoding``, else the ``.cpg`` (or a renamed one), else detected from the ``.dbf``."""
    if override:
        return override
    if (cpg := item.sidecar(".cpg")) is not None and (enc := _cpg_encoding(cpg.read_text())):
        return enc
    for text in item.sanitized_texts():
        if enc := _cpg_encoding(text):
            return enc
    dbf = item.sidecar(".dbf")
    return dbf_encoding(dbf) if dbf else "utf-8"


def _prj_hint(item: Input) -> str:
    for text in item.sanitized_texts():
        if re.match(r"(GEOGCS|PROJCS|GEOGCRS|PROJCRS)\[", text):
            crs = resolve_crs(text)
            code = f"EPSG:{crs.to_epsg()}" if crs.to_epsg() else crs.name
            return f"; a renamed sidecar file holds {crs.name}: try --crs {code}"
    return ""


def source_crs(item: Input, declared: CRS | None, override: str | None) -> CRS:
    """The CRS of the data: ``--crs`` wins, then the file's own; none at all is an error."""
    if override:
        try:
            return resolve_crs(override)
        except ValueError as err:
            raise LoadError(str(err)) from None
    if item.path.suffix.lower() == ".shp" and (prj := item.sidecar(".prj")) is not None:
        return resolve_crs(None, prj.read_bytes().decode("utf-8", errors="replace"))
    if declared is not None:
        return declared
    raise LoadError(
        "no .prj (coordinate system unknown)",
        hint="give the CRS with --crs, e.g. --crs EPSG:4326 or --crs 'JGD2011 zone III'"
        + _prj_hint(item),
    )


@dataclass
class VectorFile:
    """A vector file read into Arrow: attributes as a frame, geometries still WKB (compact).

    Geometries become shapely objects (in EPSG:4326) one slice at a time in :meth:`tables`,
    so that a large file never holds all of them at once.
    """

    attributes: pd.DataFrame
    wkb: pa.ChunkedArray
    crs: CRS
    encoding: str | None

    def __len__(self) -> int:
        return len(self.attributes)

    def tables(self, max_rows: int | None = None, max_bytes: int | None = None) -> Iterator[Table]:
        """The file as tables of at most ``max_rows`` features and about ``max_bytes`` of WKB
        (at least one feature) each; without limits, one table."""
        for start, stop in _slices(self.wkb, max_rows, max_bytes):
            wkb = self.wkb.slice(start, stop - start).combine_chunks()
            frame = self.attributes.iloc[start:stop]
            rows = np.arange(start + 1, stop + 1, dtype=np.int64)
            read, notes = geometries_noted(wkb)
            yield Table(
                columns={str(name): frame[name].tolist() for name in frame.columns},
                rows=rows,
                geometry=to_wgs84(read, self.crs),
                encoding=self.encoding,
                source_crs=self.crs,
                problems=[(int(rows[i]), reason, action) for i, reason, action in notes],
            )


_OFFSETS = {pa.binary(): np.int32, pa.large_binary(): np.int64}


def geometries(wkb: pa.Array) -> np.ndarray:
    """Shapely geometries of a WKB column (see :func:`geometries_noted`)."""
    return geometries_noted(wkb)[0]


def geometries_noted(wkb: pa.Array) -> tuple[np.ndarray, list[Note]]:
    """Shapely geometries of a WKB column, and notes on the rows repaired or unreadable.

    When every value is a 2D little-endian point with finite coordinates (21 bytes each), the
    points are made straight from the Arrow buffer's coordinates, which is several times faster
    than parsing each WKB; anything else (and a NaN point, which WKB readers take for POINT
    EMPTY) is parsed by shapely.
    """
    offsets_type = _OFFSETS.get(wkb.type)
    if offsets_type is not None and len(wkb) and wkb.null_count == 0:
        _, offsets_buffer, data = wkb.buffers()
        offsets = np.frombuffer(offsets_buffer, dtype=offsets_type)[
            wkb.offset : wkb.offset + len(wkb) + 1
        ]
        if (np.diff(offsets) == POINT_WKB.itemsize).all():
            records = np.frombuffer(data, dtype=np.uint8)[offsets[0] : offsets[-1]].view(POINT_WKB)
            coords = np.column_stack([records["x"], records["y"]])
            plain = (records["order"] == 1).all() and (records["type"] == 1).all()
            if plain and np.isfinite(coords).all():
                return np.asarray(shapely.points(coords)), []
    return parse_wkb(wkb.to_numpy(zero_copy_only=False))


def _slices(
    wkb: pa.ChunkedArray, max_rows: int | None, max_bytes: int | None
) -> list[tuple[int, int]]:
    """(start, stop) row ranges that keep to both limits; one range for an empty file."""
    total = len(wkb)
    if not total or (max_rows is None and max_bytes is None):
        return [(0, total)]
    sizes = pc.binary_length(wkb).to_numpy(zero_copy_only=False)
    ends = np.cumsum(np.nan_to_num(sizes.astype(np.float64)))
    bounds, start = [], 0
    while start < total:
        stop = min(start + (max_rows or total), total)
        if max_bytes is not None:
            base = ends[start - 1] if start else 0.0
            within = int(np.searchsorted(ends, base + max_bytes, side="right"))
            stop = max(start + 1, min(stop, within))
        bounds.append((start, stop))
        start = stop
    return bounds


def open_vector(item: Input, *, encoding: str | None, crs: str | None) -> VectorFile:
    """Read a vector file with pyogrio (through Arrow) and find its CRS."""
    is_shp = item.path.suffix.lower() == ".shp" or item.sidecar(".dbf") is not None
    used = shapefile_encoding(item, encoding) if is_shp else encoding
    try:
        info = pyogrio.read_info(item.path, encoding=used)
        declared = CRS.from_user_input(info["crs"]) if info.get("crs") else None
        if not is_shp and declared is None:
            declared = CRS.from_user_input("OGC:CRS84")  # GeoJSON's default
        the_crs = source_crs(item, None if is_shp else declared, crs)
        with warnings.catch_warnings():  # e.g. "several features with id = 0": FIDs unused
            warnings.simplefilter("ignore", RuntimeWarning)
            meta, arrow = pyogrio.read_arrow(item.path, encoding=used, datetime_as_string=True)
    except pyogrio.errors.DataSourceError as err:
        raise LoadError(f"GDAL cannot read it: {err}") from err
    geometry = meta["geometry_name"] or "wkb_geometry"
    if geometry not in arrow.column_names:
        raise LoadError("the file holds no geometry")
    attributes = _attributes(arrow.drop_columns([geometry]), meta)
    return VectorFile(attributes, arrow.column(geometry), the_crs, used)


def _attributes(arrow: pa.Table, meta: dict[str, Any]) -> pd.DataFrame:
    """Attribute columns as pandas, as ``pyogrio.read_dataframe`` makes them (date-times
    parsed from their ISO 8601 text, left as text when they do not parse)."""
    frame = arrow.to_pandas()
    for dtype, name in zip(meta["dtypes"], meta["fields"], strict=True):
        if dtype is not None and dtype.startswith("datetime") and dtype != "datetime64[D]":
            with contextlib.suppress(ValueError, TypeError):
                frame[name] = pd.to_datetime(frame[name], format="ISO8601")
    frame.columns = [normalize_header(str(c)) for c in frame.columns]
    return frame


def read_vector(item: Input, *, encoding: str | None, crs: str | None) -> Table:
    """Read a vector file whole, in EPSG:4326."""
    return next(open_vector(item, encoding=encoding, crs=crs).tables())


def extract_zip(path: Path, target: Path) -> Path:
    """Unpack ``path`` under ``target`` with member names decoded (CP932 without the UTF-8 flag)."""
    try:
        return _extract(path, target)
    except (zipfile.BadZipFile, zlib.error, EOFError) as err:
        raise LoadError(f"{path.name}: a damaged zip archive ({err})") from None


def _extract(path: Path, target: Path) -> Path:
    with zipfile.ZipFile(path) as archive:
        for name, info in zip_names(archive).items():
            if info.is_dir() or name.startswith("__MACOSX/"):
                continue
            out = (target / name).resolve()
            if not out.is_relative_to(target.resolve()):
                raise LoadError(f"zip member {name!r} points outside the archive")
            out.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(info) as src, out.open("wb") as dst:
                shutil.copyfileobj(src, dst)
    return target
