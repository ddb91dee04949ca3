"""Versioned storage against real PostGIS: load, swap, history, rollback, pruning, and a
load killed with SIGKILL in the middle of COPY leaving the served version untouched."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import geopandas as gpd
import numpy as np
import pytest
import shapely

from etl.writer import write_version
from gis.layerstore import load_lock, storage
from gis.layerstore.layerspec import GeometryType, LayerSpec
from gis.platform.db import connect

SPEC = LayerSpec.model_validate(
    {
        "id": "test_points",
        "kind": "wifi_spot",
        "title": {"ja": "試験", "en": "Test"},
        "description": {"ja": "試験用", "en": "For tests"},
        "geometry": "MultiPoint",
        "fields": [
            {"name": "name", "type": "text", "title": {"ja": "名称", "en": "Name"}},
            {"name": "rank", "type": "integer", "title": {"ja": "順位", "en": "Rank"}},
        ],
        "license": {"name": "CC BY 4.0", "attribution": {"ja": "試験", "en": "test"}},
        "owner": "350001",
    }
)


def frame(n: int, offset: float = 0.0) -> gpd.GeoDataFrame:
    points = [shapely.Point(131.4 + i * 0.001 + offset, 34.1) for i in range(n)]
    return gpd.GeoDataFrame(
        {"name": [f"地点{i}" for i in range(n)], "rank": list(range(n))},
        geometry=points,
        crs="EPSG:4326",
    )


@pytest.fixture()
def conn(database_url):  # type: ignore[no-untyped-def]
    with connect(database_url, autocommit=True) as connection:
        yield connection
        connection.execute("DROP VIEW IF EXISTS layer_data.test_points")
        for (name,) in connection.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'layer_data'"
            " AND tablename LIKE 'test_points__v%%'"
        ).fetchall():
            connection.execute(f'DROP TABLE layer_data."{name}"')
        connection.execute("DELETE FROM kasane.layer_current WHERE layer_id = 'test_points'")
        connection.execute("DELETE FROM kasane.layer_versions WHERE layer_id = 'test_points'")


def served_count(conn) -> int:  # type: ignore[no-untyped-def]
    return int(conn.execute("SELECT count(*) FROM layer_data.test_points").fetchone()[0])


def test_load_swap_history_and_rollback(conn) -> None:
    assert write_version(conn, SPEC, frame(5), storage.Provenance(rows_read=5)) == 1
    assert served_count(conn) == 5
    assert write_version(conn, SPEC, frame(7), storage.Provenance(rows_read=7)) == 2
    assert served_count(conn) == 7
    versions = storage.history(conn, "test_points")
    assert [(v.version, v.current, v.rows_loaded) for v in versions] == [
        (2, True, 7),
        (1, False, 5),
    ]
    assert storage.rollback(conn, "test_points") == 1
    assert served_count(conn) == 5
    assert storage.current_versions(conn)["test_points"] == 1
    with pytest.raises(Exception, match="no version 9"):
        storage.rollback(conn, "test_points", 9)


def test_geometry_is_promoted_and_stored_in_lon_lat(conn) -> None:
    write_version(conn, SPEC, frame(2), storage.Provenance())
    row = conn.execute(
        "SELECT GeometryType(geom), ST_SRID(geom), ST_X(ST_GeometryN(geom, 1)),"
        " ST_NumGeometries(geom) FROM layer_data.test_points ORDER BY fid LIMIT 1"
    ).fetchone()
    assert row == ("MULTIPOINT", 4326, 131.4, 1)
    columns = conn.execute(
        "SELECT array_agg(attname::text ORDER BY attnum) FROM pg_attribute"
        " WHERE attrelid = 'layer_data.test_points__v1'::regclass AND attnum > 0"
    ).fetchone()[0]
    assert columns == ["fid", "name", "rank", "geom"]  # tiles' Mercator copies live elsewhere
    bbox = conn.execute(
        "SELECT bbox FROM kasane.layer_versions WHERE layer_id = 'test_points'"
    ).fetchone()[0]
    assert bbox == pytest.approx([131.4, 34.1, 131.401, 34.1])


def test_only_the_newest_versions_keep_their_tables(conn) -> None:
    for n in range(1, 6):
        write_version(conn, SPEC, frame(n), storage.Provenance())
    versions = storage.history(conn, "test_points")
    assert [v.available for v in versions] == [True, True, True, False, False]
    with pytest.raises(Exception, match="pruned"):
        storage.rollback(conn, "test_points", 1)


def test_orphan_tables_are_cleaned_by_the_next_load(conn) -> None:
    write_version(conn, SPEC, frame(3), storage.Provenance())
    conn.execute("CREATE TABLE layer_data.test_points__v99 (fid integer)")
    write_version(conn, SPEC, frame(4), storage.Provenance())
    leftovers = conn.execute("SELECT to_regclass('layer_data.test_points__v99')").fetchone()[0]
    assert leftovers is None


def test_a_table_another_load_is_indexing_is_not_an_orphan(conn, database_url) -> None:
    """Between COPY and the swap a load's table is committed (its indexes are built on two
    connections); a load of another layer must leave it alone while its layer lock is held."""
    other_spec = SPEC.model_copy(update={"id": "test_points_b"})
    with connect(database_url, autocommit=True) as other:
        load_lock.lock_layer(other, "test_points")
        other.execute("CREATE TABLE layer_data.test_points__v7 (fid integer)")
        try:
            write_version(conn, other_spec, frame(2), storage.Provenance())
            kept = conn.execute("SELECT to_regclass('layer_data.test_points__v7')").fetchone()
            assert kept is not None and kept[0] is not None
        finally:
            load_lock.unlock_layer(other, "test_points")
            _forget(conn, "test_points_b")
    write_version(conn, other_spec, frame(2), storage.Provenance())  # lock free: an orphan now
    _forget(conn, "test_points_b")
    assert conn.execute("SELECT to_regclass('layer_data.test_points__v7')").fetchone() == (None,)


def _forget(conn, layer_id: str) -> None:  # type: ignore[no-untyped-def]
    conn.execute(f"DROP VIEW IF EXISTS layer_data.{layer_id}")
    for (name,) in conn.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'layer_data' AND tablename LIKE %s",
        (f"{layer_id}__v%",),
    ).fetchall():
        conn.execute(f'DROP TABLE layer_data."{name}"')
    conn.execute("DELETE FROM kasane.layer_current WHERE layer_id = %s", (layer_id,))
    conn.execute("DELETE FROM kasane.layer_versions WHERE layer_id = %s", (layer_id,))


def test_served_table_has_its_key_and_its_spatial_index(conn) -> None:
    """One GiST index, on ``geom``: tiles find their rows by it too (test_tile_envelope)."""
    write_version(conn, SPEC, frame(5), storage.Provenance())
    indexes = conn.execute(
        "SELECT i.indexrelid::regclass::text, i.indisprimary, am.amname"
        " FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am"
        " ON am.oid = c.relam WHERE i.indrelid = 'layer_data.test_points__v1'::regclass"
        " ORDER BY 1"
    ).fetchall()
    assert indexes == [
        ("layer_data.test_points__v1_geom_gist", False, "gist"),
        ("layer_data.test_points__v1_pkey", True, "btree"),
    ]
    analysed = conn.execute(
        "SELECT count(*) FROM pg_stats WHERE schemaname = 'layer_data'"
        " AND tablename = 'test_points__v1'"
    ).fetchone()[0]
    assert analysed == 4  # fid, name, rank, geom


def test_a_load_failing_after_its_commit_leaves_no_table(conn, monkeypatch) -> None:
    write_version(conn, SPEC, frame(3), storage.Provenance())

    def broken(*args: object) -> None:
        raise RuntimeError("index build failed")

    monkeypatch.setattr("etl.writer.build_indexes", broken)
    with pytest.raises(RuntimeError):
        write_version(conn, SPEC, frame(4), storage.Provenance())
    assert served_count(conn) == 3
    assert conn.execute("SELECT to_regclass('layer_data.test_points__v2')").fetchone() == (None,)


def test_concurrent_load_of_the_same_layer_is_refused(conn, database_url) -> None:
    with connect(database_url, autocommit=True) as other:
        load_lock.lock_layer(other, "test_points")
        with pytest.raises(load_lock.LoadInProgress):
            write_version(conn, SPEC, frame(2), storage.Provenance())


KILLED_LOADER = textwrap.dedent(
    """
    import sys, time
    import shapely
    from etl.writer import write_version, chunk_columns
    from gis.layerstore import storage
    from gis.platform.db import connect
    from tests.gis.layerstore.test_storage import SPEC, frame

    def slow_columns(chunk, spec, **numbering):
        # the first half of the rows is sent; the loader is killed while the COPY waits
        for batch in chunk_columns(chunk.sliced(0, 500), spec, **numbering):
            yield batch
        print("copying", flush=True)
        time.sleep(60)
        yield from chunk_columns(chunk.sliced(500, len(chunk)), spec, first_fid=501)

    import etl.writer
    etl.writer.chunk_columns = slow_columns
    with connect(sys.argv[1], autocommit=True) as conn:
        write_version(conn, SPEC, frame(1000, offset=0.5), storage.Provenance())
    """
)


def test_sigkill_during_copy_leaves_served_version(conn, database_url) -> None:
    write_version(conn, SPEC, frame(3), storage.Provenance())
    loader = subprocess.Popen(
        [sys.executable, "-c", KILLED_LOADER, database_url],
        stdout=subprocess.PIPE,
        cwd=os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(__file__)))),
    )
    assert loader.stdout is not None
    assert loader.stdout.readline().strip() == b"copying"
    os.kill(loader.pid, signal.SIGKILL)
    loader.wait()
    time.sleep(0.5)  # let the server notice the dropped connection
    assert served_count(conn) == 3
    assert storage.current_versions(conn)["test_points"] == 1
    assert write_version(conn, SPEC, frame(4), storage.Provenance()) == 2
    tables = conn.execute(
        "SELECT count(*) FROM pg_tables WHERE schemaname = 'layer_data'"
        " AND tablename LIKE 'test_points__v%%'"
    ).fetchone()[0]
    assert tables == 2


@pytest.mark.parametrize("geometry", ["MultiPoint", "Point"])  # Point: WKB made by numpy
def test_coordinates_are_stored_as_given(conn, geometry: str) -> None:
    spec = SPEC.model_copy(update={"geometry": GeometryType(geometry)})
    rng = np.random.default_rng(3)
    lons, lats = rng.uniform(122.9, 153.9, 200), rng.uniform(20.5, 45.5, 200)
    points = [shapely.Point(x, y) for x, y in zip(lons, lats, strict=True)]
    frame = gpd.GeoDataFrame({"name": ["p"] * 200, "rank": list(range(200))}, geometry=points,
                             crs="EPSG:4326")  # fmt: skip
    write_version(conn, spec, frame, storage.Provenance())
    kinds, lon, lat = conn.execute(
        "SELECT array_agg(DISTINCT GeometryType(geom)), array_agg(ST_X(ST_GeometryN(geom, 1))"
        " ORDER BY rank), array_agg(ST_Y(ST_GeometryN(geom, 1)) ORDER BY rank)"
        " FROM layer_data.test_points"
    ).fetchone()
    assert kinds == [geometry.upper()]
    assert lon == list(lons) and lat == list(lats)  # the very doubles


def test_a_failed_copy_closes_the_chunks_at_once(conn) -> None:
    """The writer stops the reading of the chunks when it fails, rather than leaving it to
    the garbage collector."""
    from etl.writer import write_chunks

    closed = []

    def chunks():  # type: ignore[no-untyped-def]
        try:
            yield frame(3)
            yield frame(3).set_crs("EPSG:3857", allow_override=True)  # refused by the writer
            while True:  # more to read: only closing stops it
                yield frame(3)
        finally:
            closed.append(True)

    items = chunks()  # held here: no garbage collector closes it for the writer
    with pytest.raises(ValueError, match="must be in EPSG:4326"):
        write_chunks(conn, SPEC, items, storage.Provenance)
    assert closed == [True]
    assert "test_points" not in storage.current_versions(conn)


def test_a_lock_let_go_of_soon_is_waited_for(conn, database_url) -> None:
    """A killed load's server process keeps the lock until it notices its client is gone:
    the next load waits a moment for it rather than failing at once."""
    with connect(database_url, autocommit=True) as other:
        load_lock.lock_layer(other, "test_points")
        release = threading.Timer(0.5, load_lock.unlock_layer, (other, "test_points"))
        release.start()
        try:
            version = write_version(conn, SPEC, frame(2), storage.Provenance())
        finally:
            release.join()
    assert served_count(conn) == 2 and version >= 1


def test_a_big_endian_part_in_a_one_part_multi_header_is_read_by_postgis(conn) -> None:
    """The writer puts a little-endian multi header in front of WKB as read, whatever its byte
    order: PostGIS reads each part's own byte order (as the WKB standard has it)."""
    from etl.wkb_columns import geometry_wkb

    square = shapely.box(131.0, 34.0, 131.1, 34.1)
    known = np.array([shapely.to_wkb(square, byte_order=0)], dtype=object)
    (wkb,) = geometry_wkb(np.array([square], dtype=object), GeometryType.MULTIPOLYGON, known)
    row = conn.execute(
        "SELECT ST_AsText(g), GeometryType(g) FROM (SELECT ST_GeomFromWKB(%s) AS g) AS t", (wkb,)
    ).fetchone()
    assert row == ("MULTIPOLYGON(((131.1 34,131.1 34.1,131 34.1,131 34,131.1 34)))", "MULTIPOLYGON")
