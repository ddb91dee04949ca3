"""The batch binary-COPY encoder against real PostgreSQL: what it sends reads back as the input
values, and the same rows sent by psycopg's own ``write_row`` give the same table."""

from __future__ import annotations

from typing import Any

import pytest
import shapely
from psycopg.adapt import Dumper
from psycopg.pq import Format

from gis.layerstore import copy_binary
from gis.platform.db import connect

POLYGONS = [shapely.box(131.0, 34.0, 131.0 + i / 100, 34.5).wkb for i in range(1, 5)]
POINTS = [shapely.Point(131.0 + i, 34.0).wkb for i in range(4)]
# Columns in an order that mixes fixed- and variable-width cells, with NULLs in each kind.
COLUMNS = {
    "name": ("text", ["避難所", None, "", "a\tb\nc"]),
    "n": ("int4", [1, 2, -(2**31), 2**31 - 1]),
    "maybe": ("int4", [None, 7, None, 0]),
    "big": ("int8", [2**40, None, -1, 0]),
    "x": ("float8", [0.5, -1e300, None, 3.0]),
    "flag": ("bool", [True, False, None, True]),
    "area": ("geometry", POLYGONS),
    "pt": ("geometry", POINTS),
    "note": ("text", ["x", "yy", None, "zzz"]),
}
SQL_TYPES = {"text": "text", "int4": "integer", "int8": "bigint", "float8": "float8",
             "bool": "boolean", "geometry": "geometry"}  # fmt: skip


class _Ewkb(Dumper):
    format = Format.BINARY

    def dump(self, obj: Any) -> bytes:
        return bytes(obj)


@pytest.fixture()
def conn(database_url):  # type: ignore[no-untyped-def]
    with connect(database_url) as connection:  # rolled back at the end
        columns = ", ".join(f"{n} {SQL_TYPES[k]}" for n, (k, _) in COLUMNS.items())
        for table in ("fast", "slow"):
            connection.execute(f"CREATE TEMP TABLE {table} (id serial, {columns})")
        yield connection
        connection.rollback()


def _copy_fast(conn, columns: dict[str, tuple[str, list[object]]]) -> None:  # type: ignore[no-untyped-def]
    data = copy_binary.encode_rows(
        [v for _, v in columns.values()], [k for k, _ in columns.values()]
    )
    with (
        conn.cursor() as cur,
        cur.copy(f"COPY fast ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)") as copy,
    ):
        copy.write(copy_binary.SIGNATURE + data + copy_binary.TRAILER)


def test_values_read_back_as_sent(conn) -> None:  # type: ignore[no-untyped-def]
    _copy_fast(conn, COLUMNS)
    names = ", ".join(
        n if k != "geometry" else f"ST_AsBinary({n})" for n, (k, _) in COLUMNS.items()
    )
    rows = conn.execute(f"SELECT {names} FROM fast ORDER BY id").fetchall()
    expected = list(zip(*(v for _, v in COLUMNS.values()), strict=True))
    assert [
        tuple(bytes(c) if isinstance(c, memoryview) else c for c in r) for r in rows
    ] == expected


def test_same_table_as_psycopg_write_row(conn) -> None:  # type: ignore[no-untyped-def]
    _copy_fast(conn, COLUMNS)
    oid = conn.execute("SELECT 'geometry'::regtype::oid").fetchone()[0]
    conn.adapters.register_dumper(bytes, type("Ewkb", (_Ewkb,), {"oid": oid}))
    types = [oid if k == "geometry" else k for k, _ in COLUMNS.values()]
    with (
        conn.cursor() as cur,
        cur.copy(f"COPY slow ({', '.join(COLUMNS)}) FROM STDIN (FORMAT BINARY)") as copy,
    ):
        copy.set_types(types)
        for row in zip(*(v for _, v in COLUMNS.values()), strict=True):
            copy.write_row(row)
    differ = conn.execute(
        "SELECT count(*) FROM (SELECT * FROM fast EXCEPT SELECT * FROM slow) AS d"
    ).fetchone()[0]
    assert differ == 0
    assert conn.execute("SELECT count(*) FROM slow").fetchone()[0] == 4


def test_values_that_do_not_fit_are_refused() -> None:
    with pytest.raises(OverflowError):
        copy_binary.encode_rows([[2**31]], ["int4"])
    with pytest.raises(TypeError):
        copy_binary.encode_rows([["1.5"]], ["float8"])
    with pytest.raises(TypeError):
        copy_binary.encode_rows([[b"x"]], ["text"])
