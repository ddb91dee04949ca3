"""Write checked rows as new versions of parts of a shared layer, all or nothing.

The same steps as :mod:`etl.writer` for a whole layer, on the parts' own tables only (see
:mod:`gis.layerstore.parts`): under each part's load lock, one transaction creates and fills
the part tables (binary ``COPY``; fids from the shared sequence); their indexes are built; a second
transaction adds statistics and publishes, making a new layer version of every part's current
version. A failed or killed load leaves every part as it was. Two municipalities may load their
parts at the same time; only the short publishing step of the layer is serialised.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import psycopg
import shapely
from psycopg import sql

from etl.row_rules import Chunk
from etl.writer import COPY, chunk_columns
from gis.layerstore import load_lock, parts, storage
from gis.layerstore.layerspec import LayerSpec
from gis.layerstore.version_indexes import build_indexes
from gis.platform.errors import DatabaseUnavailable
from gis.platform.timings import phase

FID_DEFAULT = sql.SQL("nextval('kasane.part_fids')")


def write_parts(
    conn: storage.Conn,
    spec: LayerSpec,
    groups: dict[str, Iterable[Chunk]],
    provenance: Callable[[str], storage.Provenance],
    loaded_by: str,
) -> tuple[int, dict[str, int]] | None:
    """Load each part's chunks as its new version and serve them; returns the new layer
    version and each part's version, or None when no row at all came (nothing changes).

    ``provenance(code)`` is asked for once every chunk is copied. An empty part (its chunks
    have no row) is published empty: the prefecture's ``--parts all`` clears a part that way.
    ``conn`` must be in autocommit mode.
    """
    if not conn.autocommit:
        raise ValueError("write_parts needs an autocommit connection")
    codes = sorted(groups)
    locked: list[str] = []
    staged: list[sql.Identifier] = []
    written: list[parts.NewPart] = []
    try:
        for code in codes:
            load_lock.lock_layer(conn, parts.part_key(spec.id, code))
            locked.append(code)
        total = 0
        with conn.transaction():
            with phase("create part tables (drop orphans)"):
                storage.drop_orphans(conn)
            for code in codes:
                version = parts.next_part_version(conn, spec.id, code)
                table = parts.part_table(spec.id, code, version)
                storage.create_version_table(conn, spec, version, table)
                conn.execute(
                    sql.SQL("ALTER TABLE {} ALTER fid SET DEFAULT {}").format(table, FID_DEFAULT)
                )
                bounds = _Bounds()
                with phase(COPY):
                    copied = storage.copy_columns(
                        conn, spec, table, _batches(groups[code], spec, bounds), fid=False
                    )
                total += copied
                record = storage.Provenance(rows_loaded=copied)
                written.append(parts.NewPart(code, version, record, bounds.bbox))
                staged.append(table)
        if not total:
            _drop(conn, staged)
            return None
        with phase("indexes (GiST geom, primary key)"):
            for item, table in zip(written, staged, strict=True):
                build_indexes(conn, table, f"{parts.part_key(spec.id, item.code)}__v{item.version}")
        with conn.transaction():
            with phase("analyze"):
                for item, table in zip(written, staged, strict=True):
                    storage.finish_table(conn, table, item.bbox)
            with phase("publish (swap, commit)"):
                for item in written:
                    copied = item.provenance.rows_loaded
                    item.provenance = provenance(item.code)
                    item.provenance.rows_loaded = copied
                layer_version = parts.publish_parts(conn, spec, written, loaded_by)
        staged = []
    except psycopg.OperationalError as exc:
        raise DatabaseUnavailable(
            f"the database connection was lost while loading layer {spec.id!r}; nothing was"
            " changed (every part is still served as it was): load again when it is back"
        ) from exc
    finally:
        for chunks in groups.values():
            close = getattr(chunks, "close", None)
            if close is not None:
                close()
        if not conn.closed:
            _drop(conn, staged)
            for code in locked:
                load_lock.unlock_layer(conn, parts.part_key(spec.id, code))
    return layer_version, {item.code: item.version for item in written}


def _batches(chunks: Iterable[Chunk], spec: LayerSpec, bounds: _Bounds) -> Iterator[list[Any]]:
    """Column batches without the fid column (the table's default draws it)."""
    for chunk in chunks:
        bounds.add(chunk)
        for batch in chunk_columns(chunk, spec):
            yield list(batch[1:])


class _Bounds:
    """The bbox of every geometry seen (None for none)."""

    def __init__(self) -> None:
        self.bbox: parts.BBox | None = None

    def add(self, chunk: Chunk) -> None:
        if not len(chunk):
            return
        b: Sequence[float] = [float(v) for v in shapely.total_bounds(chunk.geometry)]
        if self.bbox is not None:
            old = self.bbox
            b = [min(b[0], old[0]), min(b[1], old[1]), max(b[2], old[2]), max(b[3], old[3])]
        self.bbox = (b[0], b[1], b[2], b[3])


def _drop(conn: storage.Conn, tables: list[sql.Identifier]) -> None:
    """Drop committed part tables that were not published (best effort: the next load drops
    what is left as orphans)."""
    for table in tables:
        with contextlib.suppress(psycopg.Error):
            conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(table))
