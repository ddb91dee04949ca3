"""Pre-simplified copies of line and polygon layer versions for low-zoom vector tiles.

A tile at zoom ``z`` below a layer's last zoom is simplified by :data:`SIMPLIFY_UNITS` tile
units (half a screen pixel on a 256-pixel tile, one on a 512-pixel one), so most of the vertices
a low-zoom tile reads from the stored geometry are thrown away again. A *band* copy keeps every
feature of a version already simplified for the finest zoom of a band of zooms (``z ≤ 9``,
``10–11``, ``12–13``): tiles in the band read it instead of the version table, and the tile's
own, coarser, simplification then starts from far fewer vertices. Features that collapse at the
band's tolerance (smaller than a fraction of a pixel) are left out, as the tile would drop them
anyway; shapes that the parts copy subdivides (more than the threshold's vertices as stored) are
cut into pieces here too, after simplification.

Rows of a copy are stored in the order of their shapes (PostGIS sorts geometries along a Hilbert
curve), so that a tile's rows sit on few pages, and carry the layer's attributes, so that a tile
needs no join; tiles of points, and other tiles at z ≥ 14, read one more copy that is only
reordered (and cut into pieces where the parts copy is). The copies live in
``layer_tiles."<layer>__v<N>__b<band>"`` (fid, attributes, geom_3857, GiST), are built once per
version (lazily on first use or right after a load) and dropped with their version.
"""

from __future__ import annotations

from psycopg import sql

from gis.layerstore.layerspec import GeometryType, LayerSpec
from gis.layerstore.parts import part_key, part_table, parts_of
from gis.layerstore.storage import Conn, version_table

BANDS = (9, 11, 13)  # the finest zoom of each band: z<=9, 10-11, 12-13
ALL_ZOOMS = 99  # the band of the unsimplified copy (points at every zoom, others at z >= 14)
SIMPLIFY_UNITS = 8  # tile units (of 4096) a low-zoom tile's shapes are simplified by
WORLD_M = 40075016.685578488
EXTENT = 4096
BANDED = {
    GeometryType.POLYGON,
    GeometryType.MULTIPOLYGON,
    GeometryType.LINESTRING,
    GeometryType.MULTILINESTRING,
    GeometryType.GEOMETRY,
}
SCHEMA = "layer_tiles"


def tolerance(z: int) -> float:
    """The simplification tolerance of a zoom's tiles, in Web-Mercator metres."""
    return WORLD_M / (1 << z) / EXTENT * SIMPLIFY_UNITS


def band_of(spec: LayerSpec, z: int) -> int:
    """The band whose copy tiles at zoom ``z`` read.

    Tiles of points, and tiles at z ≥ 14 or at the layer's last zoom, read the unsimplified copy
    (:data:`ALL_ZOOMS`), which only reorders the rows (and cuts very large shapes into pieces).
    """
    if spec.geometry in BANDED and z < spec.max_zoom:
        for band in BANDS:
            if z <= band:
                return band
    return ALL_ZOOMS


def band_name(layer_id: str, version: int, band: int) -> str:
    """The table name (in :data:`SCHEMA`) of a band copy."""
    return f"{layer_id}__v{version}__b{band}"


def band_table(layer_id: str, version: int, band: int) -> sql.Identifier:
    """Where the band copy of a version lives."""
    return sql.Identifier(SCHEMA, band_name(layer_id, version, band))


def prepare_band(
    conn: Conn, spec: LayerSpec, version: int, band: int, *, cut_above: int, piece: int
) -> None:
    """Make the band copy of a version unless it exists (idempotent, one process at a time).

    Shapes stored with more than ``cut_above`` vertices are simplified, then subdivided into
    pieces of at most ``piece`` vertices, so that a tile reads only the pieces it touches.
    """
    with conn.transaction():
        conn.execute(
            "SELECT pg_advisory_xact_lock(hashtext('kasane.bands'), hashtext(%s))", (spec.id,)
        )
        name = band_name(spec.id, version, band)
        if _exists(conn, name):
            return
        made = parts_of(conn, spec.id, version)
        if made is None:
            _copy(conn, spec, version_table(spec.id, version), name, band, cut_above, piece)
            return
        # A shared layer's version is a view of its parts (gis.layerstore.parts): each part
        # version gets its own band copy, made once, and the version's copy is a view of them, so
        # that a part's change costs the copy of that part only.
        copies = []
        for code, part_version in sorted(made.items()):
            key = f"{part_key(spec.id, code)}__v{part_version}"
            if not _exists(conn, f"{key}__b{band}"):
                source = part_table(spec.id, code, part_version)
                _copy(conn, spec, source, f"{key}__b{band}", band, cut_above, piece)
            copy = sql.Identifier(SCHEMA, f"{key}__b{band}")
            copies.append(sql.SQL("SELECT * FROM {}").format(copy))
        conn.execute(
            sql.SQL("CREATE VIEW {} AS {}").format(
                band_table(spec.id, version, band), sql.SQL(" UNION ALL ").join(copies)
            )
        )


def _exists(conn: Conn, name: str) -> bool:
    row = conn.execute("SELECT to_regclass(%s) IS NOT NULL", (f'{SCHEMA}."{name}"',)).fetchone()
    return bool(row and row[0])


def _copy(
    conn: Conn,
    spec: LayerSpec,
    source: sql.Identifier,
    name: str,
    band: int,
    cut_above: int,
    piece: int,
) -> None:
    """Make one band copy ``name`` of the table ``source`` (see :func:`prepare_band`)."""
    table = sql.Identifier(SCHEMA, name)
    geom: sql.Composable = sql.SQL("ST_Transform(geom, 3857)")
    if spec.geometry in BANDED and band != ALL_ZOOMS:
        geom = sql.SQL("ST_Simplify({}, {}, false)").format(geom, sql.Literal(tolerance(band)))
    conn.execute(
        sql.SQL(
            "CREATE TABLE {table} AS SELECT s.fid{attrs}, g.geom_3857 FROM"
            " (SELECT *, ST_NPoints(geom) > {cut} AS big, {geom} AS simple"
            " FROM {source} OFFSET 0) AS s,"  # OFFSET 0: each shape projected once
            " LATERAL (SELECT s.simple AS geom_3857 WHERE NOT s.big"
            " UNION ALL SELECT ST_Subdivide(s.simple, {piece}) WHERE s.big) AS g"
            " WHERE s.simple IS NOT NULL AND NOT ST_IsEmpty(s.simple) ORDER BY g.geom_3857"
        ).format(
            table=table,
            attrs=sql.SQL("").join(
                sql.SQL(", s.{}").format(sql.Identifier(n)) for n in spec.field_names
            ),
            geom=geom,
            source=source,
            cut=sql.Literal(cut_above),
            piece=sql.Literal(piece),
        )
    )
    conn.execute(sql.SQL("CREATE INDEX ON {} USING gist (geom_3857)").format(table))
    conn.execute(sql.SQL("ANALYZE {}").format(table))
