"""Write checked rows (one :class:`~etl.row_rules.Chunk`, or chunks as they come) as a new layer
version, all or nothing. A GeoDataFrame (the demo data, derived layers) is taken too.

Under a per-layer lock: orphan clean-up, the version table and ``COPY`` in one transaction; the
indexes, built side by side on two connections (:mod:`gis.layerstore.version_indexes`); statistics
and
the swap in a second transaction. A failed or killed load leaves the served version as it was.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import psycopg
import shapely
from psycopg import sql

from etl.row_rules import Chunk
from etl.wkb_columns import geometry_wkb
from gis.layerstore import load_lock, storage
from gis.layerstore.layerspec import LayerSpec
from gis.layerstore.version_indexes import build_indexes, build_indexes_here
from gis.platform.errors import DatabaseUnavailable
from gis.platform.timings import phase

if TYPE_CHECKING:
    import geopandas as gpd

BATCH_ROWS = 4096
ENCODE = "  encode geometries (in copy: WKB)"


def chunk_columns(
    chunk: Chunk, spec: LayerSpec, *, first_fid: int = 1
) -> Iterator[list[Sequence[Any]]]:
    """Batches of columns in COPY order: fid (from ``first_fid``), declared fields and the WKB
    geometry (EPSG:4326, in the declared type); at most :data:`BATCH_ROWS` rows a batch.

    The WKB carries no SRID: the column's type gives it (PostGIS sets an unknown SRID to the
    column's). Geometries are encoded a batch at a time, so that memory stays bounded and the
    server stores one batch while the next is being encoded.
    """
    columns = [chunk.columns[name] for name in spec.field_names]
    for start in range(0, len(chunk), BATCH_ROWS):
        stop = min(start + BATCH_ROWS, len(chunk))
        known = None if chunk.wkb is None else chunk.wkb[start:stop]
        with phase(ENCODE):
            wkb = geometry_wkb(chunk.geometry[start:stop], spec.geometry, known)
        fids = np.arange(first_fid + start, first_fid + stop, dtype=np.int64)
        yield [fids, *(column[start:stop] for column in columns), wkb]  # type: ignore[list-item]


def write_version(
    conn: storage.Conn,
    spec: LayerSpec,
    frame: Chunk | gpd.GeoDataFrame,
    provenance: storage.Provenance,
) -> int:
    """Load ``frame`` (EPSG:4326, declared columns) as the new served version; returns it.

    ``conn`` must be in autocommit mode, so that the swap commits on its own.
    """
    version = write_chunks(conn, spec, [frame], lambda: provenance)
    assert version is not None  # an empty frame makes an empty version
    return version


def write_in_transaction(
    conn: storage.Conn,
    spec: LayerSpec,
    frame: gpd.GeoDataFrame,
    provenance: storage.Provenance,
) -> int:
    """Load ``frame`` as the new served version inside ``conn``'s open transaction; returns it.

    For derived layers, which must change in the transaction that changes their sources (a
    GTFS feed stored or removed): either both commit or neither. Everything runs on ``conn``
    (the indexes one after the other), under the layer's load lock held until the end of the
    transaction. Derived layers are small; a big load goes through :func:`write_chunks`.
    """
    if conn.autocommit and conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE:
        raise ValueError("write_in_transaction needs an open transaction")
    load_lock.lock_layer_in_transaction(conn, spec.id)
    storage.drop_orphans(conn)
    version = storage.next_version(conn, spec.id)
    table = storage.create_version_table(conn, spec, version)
    extent = _Extent()
    copied = storage.copy_columns(conn, spec, table, _batches([frame], spec, extent))
    build_indexes_here(conn, table, f"{spec.id}__v{version}")
    bbox = storage.finish_table(conn, table, extent.bbox)
    provenance.rows_loaded = copied
    storage.publish(conn, spec, version, provenance, bbox)
    return version


COPY = "copy into the version table (includes the phases below)"


class _NothingCopied(Exception):
    """Raised inside the COPY transaction to roll it back when no row came."""


def write_chunks(
    conn: storage.Conn,
    spec: LayerSpec,
    chunks: Iterable[Chunk | gpd.GeoDataFrame],
    provenance: Callable[[], storage.Provenance],
    *,
    skip_empty: bool = False,
) -> int | None:
    """Load frames as they come, as one new served version; returns it.

    ``provenance`` is asked for once every chunk has been copied (a report that the chunks
    fill as they are made is complete only then). With ``skip_empty``, no row at all changes
    nothing and returns None. ``conn`` must be in autocommit mode.
    """
    if not conn.autocommit:
        raise ValueError("write_version needs an autocommit connection")
    load_lock.lock_layer(conn, spec.id)
    staged: sql.Identifier | None = None
    extent = _Extent()
    try:
        with conn.transaction():
            with phase("create version table (drop orphans)"):
                storage.drop_orphans(conn)
                version = storage.next_version(conn, spec.id)
                table = storage.create_version_table(conn, spec, version)
            with phase(COPY):
                batches = _batches(chunks, spec, extent)
                copied = storage.copy_columns(conn, spec, table, batches)
            if skip_empty and not copied:
                raise _NothingCopied
        # Committed but not served (the indexes are built on two connections, which needs a
        # table they can see): if the load dies from here on, the table is an orphan that the
        # next load drops. Served versions change only in the transaction below.
        staged = table
        with phase("indexes (GiST geom, primary key)"):
            build_indexes(
                conn, table, f"{spec.id}__v{version}", tuple(f.name for f in spec.fields if f.index)
            )
        with conn.transaction():
            with phase("analyze"):
                bbox = storage.finish_table(conn, table, extent.bbox)
            with phase("publish (swap, commit)"):
                record = provenance()
                record.rows_loaded = copied
                storage.publish(conn, spec, version, record, bbox)
        staged = None
    except _NothingCopied:
        return None
    except psycopg.OperationalError as exc:
        raise DatabaseUnavailable(
            f"the database connection was lost while loading layer {spec.id!r}; nothing was"
            " changed (the served version is still served): load again when it is back"
        ) from exc
    finally:
        # a failed COPY leaves the chunks half read: stop their reading (and run the readers'
        # clean-up) now, not when the garbage collector or the interpreter's teardown does
        close = getattr(chunks, "close", None)
        if close is not None:
            close()
        if not conn.closed:
            _drop_staged(conn, staged)
            load_lock.unlock_layer(conn, spec.id)
    return version


def _batches(
    chunks: Iterable[Chunk | gpd.GeoDataFrame], spec: LayerSpec, extent: _Extent
) -> Iterator[list[Sequence[Any]]]:
    """Every chunk's rows as column batches, numbered on from one chunk to the next."""
    fid = 1
    for item in chunks:
        chunk = item if isinstance(item, Chunk) else _from_frame(item, spec)
        extent.add(chunk.geometry)
        yield from chunk_columns(chunk, spec, first_fid=fid)
        fid += len(chunk)


def _from_frame(frame: gpd.GeoDataFrame, spec: LayerSpec) -> Chunk:
    from etl.geoframes import chunk_of_frame  # a GeoDataFrame means pandas is loaded already

    return chunk_of_frame(frame, spec)


class _Extent:
    """The bbox (min lon, min lat, max lon, max lat) of every geometry seen; None for none."""

    def __init__(self) -> None:
        self.bbox: tuple[float, float, float, float] | None = None

    def add(self, geoms: np.ndarray) -> None:
        if not len(geoms):
            return
        b = [float(v) for v in shapely.total_bounds(geoms)]
        if self.bbox is not None:
            b = [min(b[0], self.bbox[0]), min(b[1], self.bbox[1]),
                 max(b[2], self.bbox[2]), max(b[3], self.bbox[3])]  # fmt: skip
        self.bbox = (b[0], b[1], b[2], b[3])


def _drop_staged(conn: storage.Conn, staged: sql.Identifier | None) -> None:
    """Drop a committed table whose load failed before it was published (best effort: what
    is left is an orphan that the next load drops)."""
    if staged is None:
        return
    with contextlib.suppress(psycopg.Error):
        conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(staged))
