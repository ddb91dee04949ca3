"""Rows into PostgreSQL by binary ``COPY``, encoded a batch of rows at a time with numpy.

psycopg's ``write_row`` formats one row per Python call; for hundreds of thousands of rows that
call is most of a load's client time. Here a batch is encoded column by column: runs of
fixed-width cells (integers, floats, booleans, and byte strings that all have one length, such
as point EWKB) become one numpy record per row, variable-width cells (text, polygon EWKB) stay
Python ``bytes``, and the pieces are interleaved and joined once. The table it fills is the one
``write_row`` fills (the tests compare both through PostgreSQL). :data:`SIGNATURE` and
:data:`TRAILER` frame the data.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any

import numpy as np
import psycopg
from psycopg import sql
from psycopg.adapt import Dumper
from psycopg.copy import QueuedLibpqWriter
from psycopg.types.json import Jsonb

from gis.platform.errors import KasaneError
from gis.platform.timings import phase

SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"
TRAILER = b"\xff\xff"
_FIXED: dict[str, np.dtype[Any]] = {
    "int4": np.dtype(">i4"),
    "int8": np.dtype(">i8"),
    "float8": np.dtype(">f8"),
    "bool": np.dtype("u1"),
}
BYTES_TYPES = frozenset({"text", "geometry"})
SUPPORTED = frozenset(_FIXED) | BYTES_TYPES
_NULL = -1
_NONE = np.array(None, dtype=object)


class _Cells:
    """One column of a batch: either fixed-width values or variable ``bytes`` pieces."""

    def __init__(self, values: Sequence[Any], kind: str) -> None:
        if isinstance(values, np.ndarray) and values.dtype != object:
            self._from_array(values, kind)
            return
        objects = np.empty(len(values), dtype=object)
        objects[:] = values
        missing = np.equal(objects, _NONE)
        self.fixed: np.ndarray | None = None
        self.pieces: list[bytes] = []
        self.lengths = np.zeros(len(values), dtype=np.int32)
        if kind in _FIXED:
            dtype = _FIXED[kind]
            if missing.any():
                filled = [0 if m else v for v, m in zip(values, missing, strict=True)]
                array = _numbers(filled, dtype)
                self.pieces = array.view(f"V{dtype.itemsize}").tolist()
                for i in np.flatnonzero(missing):
                    self.pieces[i] = b""
                self.lengths[:] = dtype.itemsize
            else:
                self.fixed = _numbers(values, dtype)
                self.lengths[:] = dtype.itemsize
        else:
            self.pieces = _as_bytes(values, kind, bool(missing.any()))
            self.lengths[:] = np.fromiter(map(len, self.pieces), dtype=np.int32, count=len(values))
            if not missing.any() and len(values) and (self.lengths == self.lengths[0]).all():
                width = int(self.lengths[0])  # e.g. every point's EWKB: one record field
                joined = np.frombuffer(b"".join(self.pieces), dtype=f"V{width}")
                self.fixed, self.pieces = joined, []
        self.lengths[missing] = _NULL

    def _from_array(self, values: np.ndarray, kind: str) -> None:
        """A numpy column, which has no NULL: numbers, or WKB records of one width (``V``)."""
        self.pieces = []
        if values.dtype.kind == "V" and kind == "geometry":
            self.fixed = values
        elif kind in _FIXED:
            self.fixed = _numbers(values, _FIXED[kind])
        else:
            raise TypeError(f"a {values.dtype} array is not a {kind} column")
        self.lengths = np.full(len(values), self.fixed.dtype.itemsize, dtype=np.int32)


def _numbers(values: Sequence[Any] | np.ndarray, dtype: np.dtype[Any]) -> np.ndarray:
    if dtype.kind == "u":  # booleans
        return np.asarray([bool(v) for v in values], dtype=dtype)
    array = np.asarray(values)
    if array.dtype.kind not in ("iub" if dtype.kind == "i" else "iubf"):
        raise TypeError(f"not a {dtype.kind} column ({array.dtype})")
    info = np.iinfo(dtype) if dtype.kind == "i" else None
    if info is not None and len(array) and (array.min() < info.min or array.max() > info.max):
        raise OverflowError(f"integer out of range for {dtype.itemsize * 8}-bit column")
    return array.astype(dtype)


def _as_bytes(values: Sequence[Any], kind: str, missing: bool) -> list[bytes]:
    """Each value's bytes (b"" for NULL): text as UTF-8, geometries as the WKB they are."""
    if kind == "text":  # a non-str is a caller's bug, as with psycopg's dumper
        encode = str.encode
        if missing:
            return [b"" if v is None else encode(v) for v in values]
        return [encode(v) for v in values]
    # WKB as bytes (or any bytes-like object, which join and len take as they are)
    return [b"" if v is None else v for v in values] if missing else list(values)


def encode_rows(columns: Sequence[Sequence[Any]], kinds: Sequence[str]) -> bytes:
    """Binary COPY tuples for equally long ``columns`` of PostgreSQL types ``kinds``.

    ``kinds`` are ``int4``, ``int8``, ``float8``, ``bool``, ``text`` or ``geometry`` (EWKB
    ``bytes``); ``None`` is NULL. A column may also be a numpy array without NULLs: numbers, or
    for ``geometry`` fixed-width WKB records (dtype ``V``). Raises TypeError/OverflowError for
    values that do not fit.
    """
    if len(columns) != len(kinds):
        raise ValueError("one kind per column")
    if not columns or not len(columns[0]):
        return b""
    rows = len(columns[0])
    cells = [_Cells(values, kind) for values, kind in zip(columns, kinds, strict=True)]
    # Walk the columns: fixed cells join the current record ("glue"); a variable column ends it
    # with its length, then its bytes follow as their own pieces.
    streams: list[list[bytes]] = []
    fields: list[tuple[str, Any]] = [("count", ">i2")]
    values: dict[str, Any] = {"count": len(columns)}

    def close_glue() -> None:
        record = np.empty(rows, dtype=fields)
        for name, value in values.items():
            record[name] = value
        streams.append(record.view(f"V{record.dtype.itemsize}").tolist())

    for i, cell in enumerate(cells):
        fields.append((f"len{i}", ">i4"))
        values[f"len{i}"] = cell.lengths
        if cell.fixed is not None:
            fields.append((f"val{i}", cell.fixed.dtype))
            values[f"val{i}"] = cell.fixed
            continue
        close_glue()
        streams.append(cell.pieces)
        fields, values = [], {}
    if fields:
        close_glue()
    interleaved: list[bytes] = [b""] * (rows * len(streams))
    for k, stream in enumerate(streams):
        interleaved[k :: len(streams)] = stream
    return b"".join(interleaved)


BATCH_ROWS = 4096
ENCODE = "  encode rows (in copy: binary COPY format)"


def copy_in(
    conn: psycopg.Connection[Any],
    statement: sql.Composed,
    kinds: Sequence[str],
    rows: Iterable[Sequence[Any]],
) -> int:
    """Run ``COPY … FROM STDIN (FORMAT BINARY)`` with ``rows`` of PostgreSQL types ``kinds``.

    The rows go in batches of :data:`BATCH_ROWS` to :func:`copy_batches`. Returns the number of
    rows.
    """
    batches = (list(zip(*batch, strict=True)) for batch in _batches(rows, BATCH_ROWS))
    return copy_batches(conn, statement, kinds, batches)


def copy_batches(
    conn: psycopg.Connection[Any],
    statement: sql.Composed,
    kinds: Sequence[str],
    batches: Iterable[Sequence[Sequence[Any]]],
) -> int:
    """Run ``COPY … FROM STDIN (FORMAT BINARY)`` with batches of equally long columns.

    Each batch is encoded by :func:`encode_rows` when every type allows it, else row by row by
    psycopg (``date``, ``timestamptz``, ``jsonb``). A writer thread sends each batch while the
    next is encoded. Returns the number of rows.
    """
    if not set(kinds) <= SUPPORTED:
        return _copy_row_by_row(conn, statement, kinds, _rows_of(batches))
    count = 0
    with conn.cursor() as cur, cur.copy(statement, writer=QueuedLibpqWriter(cur)) as copy:
        copy.write(SIGNATURE)
        for columns in batches:
            with phase(ENCODE):
                data = encode_rows(columns, kinds)
            copy.write(data)
            count += len(columns[0]) if columns else 0
        copy.write(TRAILER)
    return count


def _rows_of(batches: Iterable[Sequence[Sequence[Any]]]) -> Iterator[Sequence[Any]]:
    """The rows of column batches, numpy columns as Python values (``V`` records as bytes)."""
    for columns in batches:
        plain = [c.tolist() if isinstance(c, np.ndarray) else c for c in columns]
        yield from zip(*plain, strict=True)


def _batches(rows: Iterable[Sequence[Any]], size: int) -> Iterator[list[Sequence[Any]]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


class _GeometryDumper(Dumper):
    """Sends (E)WKB bytes as ``geometry`` in binary COPY (geometry_recv accepts them)."""

    format = psycopg.pq.Format.BINARY

    def dump(self, obj: Any) -> bytes:
        return bytes(obj)


def _geometry_oid(conn: psycopg.Connection[Any]) -> int:
    row = conn.execute("SELECT 'geometry'::regtype::oid").fetchone()
    if row is None:
        raise KasaneError("PostGIS geometry type not found")
    oid = int(row[0])
    dumper = type("GeometryDumper", (_GeometryDumper,), {"oid": oid})
    conn.adapters.register_dumper(bytes, dumper)
    return oid


def _copy_row_by_row(
    conn: psycopg.Connection[Any],
    statement: sql.Composed,
    kinds: Sequence[str],
    rows: Iterable[Sequence[Any]],
) -> int:
    geometry = _geometry_oid(conn) if "geometry" in kinds else 0
    types: list[str | int] = [geometry if k == "geometry" else k for k in kinds]
    json_columns = [i for i, k in enumerate(kinds) if k == "jsonb"]
    count = 0
    with conn.cursor() as cur, cur.copy(statement) as copy:
        copy.set_types(types)
        for row in rows:
            if json_columns:
                row = list(row)
                for i in json_columns:
                    row[i] = None if row[i] is None else Jsonb(row[i])
            copy.write_row(row)
            count += 1
    return count
