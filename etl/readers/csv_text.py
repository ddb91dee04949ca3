"""CSV in any Japanese encoding: title rows above the header, quoted newlines, blank rows."""

from __future__ import annotations

import csv
import io
import unicodedata
from pathlib import Path

import numpy as np
from pyproj import CRS

from etl.readers import Table
from etl.sniff import detect_encoding
from gis.geo.crs import resolve_crs
from gis.platform.errors import LoadError

HEADER_SEARCH_ROWS = 10


def normalize_header(name: str) -> str:
    """NFKC, no BOM, no surrounding blanks: ``'ＩＤ '`` -> ``'ID'``."""
    return unicodedata.normalize("NFKC", name).replace("\ufeff", "").strip()


def _is_header(cells: list[str], width: int) -> bool:
    filled = [c for c in cells if c.strip()]
    if len(filled) < max(2, width // 2):
        return False
    numeric = sum(c.replace(".", "", 1).replace("-", "", 1).strip().isdigit() for c in filled)
    return numeric <= len(filled) // 4


def _decode(path: Path, encoding: str | None) -> tuple[str, str]:
    data = path.read_bytes()
    used = encoding or detect_encoding(data)
    try:
        return data.decode(used), used
    except (UnicodeDecodeError, LookupError) as err:
        raise LoadError(f"cannot decode as {used}: {err}", hint="give --encoding") from err


def read_csv(path: Path, encoding: str | None = None) -> Table:
    """Every record as text, under the first header-like row; blank records are dropped."""
    text, used = _decode(path, encoding)
    text = text.lstrip("\ufeff")
    sample = text[:8192]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, ",\t;")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    records: list[tuple[int, list[str]]] = []
    start = 1
    for row_cells in reader:
        records.append((start, row_cells))
        start = reader.line_num + 1
    return table_from_records(records, used)


def table_from_records(records: list[tuple[int, list[str]]], encoding: str | None) -> Table:
    """A table from ``(row number, cells)`` records: the first header-like row among the first
    :data:`HEADER_SEARCH_ROWS` is the header (title rows above it are skipped with a warning),
    blank records are dropped. Shared by the CSV and spreadsheet readers."""
    if not records:
        raise LoadError("the file holds no records")
    width = max(len(c) for _, c in records[:HEADER_SEARCH_ROWS])
    header_at = next(
        (i for i, (_, c) in enumerate(records[:HEADER_SEARCH_ROWS]) if _is_header(c, width)),
        None,
    )
    if header_at is None:
        raise LoadError("no header row found in the first rows (is this a table?)")
    warnings = []
    if header_at:
        warnings.append(f"skipped {header_at} title row(s) above the header")
    header = [normalize_header(h) for h in records[header_at][1]]
    names: list[str] = []
    for i, name in enumerate(header):
        name = name or f"column_{i + 1}"
        while name in names:
            name += "_"
        names.append(name)
    body = [(line, cells) for line, cells in records[header_at + 1 :]]
    blank = [line for line, cells in body if not any(c.strip() for c in cells)]
    body = [(line, cells) for line, cells in body if any(c.strip() for c in cells)]
    if blank:
        warnings.append(f"skipped {len(blank)} blank row(s)")
    rows = [cells[: len(names)] + [""] * (len(names) - len(cells)) for _, cells in body]
    cells: list[tuple[str, ...]] = list(zip(*rows, strict=True)) if rows else [()] * len(names)
    return Table(
        columns={name: list(column) for name, column in zip(names, cells, strict=True)},
        rows=np.array([line for line, _ in body], dtype=np.int64),
        encoding=encoding,
        warnings=warnings,
    )


def coordinate_crs(text: str) -> CRS:
    """The geographic CRS of a CSV's latitude/longitude columns, from ``--crs``.

    Old municipal lists give Tokyo-datum (旧日本測地系) coordinates, some 450 m off JGD2011;
    a projected CRS cannot apply, since the coordinates are read as latitude and longitude.
    """
    try:
        crs = resolve_crs(text)
    except ValueError as err:
        raise LoadError(str(err)) from None
    if not crs.is_geographic:
        raise LoadError(
            f"--crs {text} is a projected CRS, but a CSV's coordinates are read from its"
            " latitude/longitude columns",
            hint="give the datum of those columns, e.g. --crs Tokyo or --crs JGD2011",
        )
    return crs
