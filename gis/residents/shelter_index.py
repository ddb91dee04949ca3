"""One served version of the shelters layer in memory, for the nearest-shelter question.

The SQL path (:func:`gis.residents.shelters.nearest_rows`) costs about a millisecond of PostgreSQL
per
question; on a disaster day residents ask thousands a second, each from a new place. A
:class:`ShelterIndex` answers the same question from memory with the same result rows:

* the points of the shelters suitable for a hazard (and, for "open now", of those open under
  one :class:`Statuses` snapshot) sit in a shapely ``STRtree`` built once per subset;
* the search is exact like the SQL one: planar candidates give ``n`` true (geodesic, WGS84)
  distances, the largest bounds a lon/lat box that surely holds every shelter at most that far
  away, and everything in the box is ranked by true distance, then fid;
* the answer columns of each shelter are kept marshalled (one small bytes object per shelter,
  not a dozen Python objects) and only the ``n`` answers are turned back into values.

Statuses change often on a disaster day; a :class:`Statuses` snapshot belongs to one status
epoch of :class:`gis.layerstore.served_versions.ServedVersions` and is re-read (one small query)
when it moves.
"""

from __future__ import annotations

import marshal
import math
import threading
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import psycopg
import shapely
from psycopg import sql
from pyproj import Geod

from gis.layerstore.storage import version_table
from gis.residents.shelter_status import OPEN_STATES

Conn = psycopg.Connection[Any]
GEOD = Geod(ellps="WGS84")
FETCH_ROWS = 20000
BYTES_PER_SHELTER = 700  # marshalled columns, point, tree entry: used to refuse before reading
# Shortest ground length of one degree: of latitude (meridian, at the equator) and of longitude
# at latitude phi (>= these metres times cos(phi)): a box this wide holds the geodesic circle.
METRES_PER_DEGREE_LAT_MIN = 110574.0
METRES_PER_DEGREE_LON_EQUATOR_MIN = math.pi / 180.0 * 6378137.0
BOX_SAFETY = 1.001

SubsetKey = tuple[str | None, bool]  # hazard (None = any), open only


def _subset_tree(points: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, shapely.STRtree]:
    idx = np.flatnonzero(mask)
    return idx, shapely.STRtree(points[idx])


@dataclass
class Statuses:
    """Shelter statuses under one status epoch, aligned with a :class:`ShelterIndex`."""

    epoch: int
    by_row: dict[int, tuple[str | None, str | None, Any]]  # row -> status, crowding, updated
    open_mask: np.ndarray
    trees: dict[SubsetKey, tuple[np.ndarray, shapely.STRtree]] = field(default_factory=dict)


@dataclass
class ShelterIndex:
    """The shelters of one layer version: points, hazard flags and attribute columns."""

    version: int
    hazards: tuple[str, ...]
    columns: tuple[str, ...]
    fids: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    points: np.ndarray
    flags: dict[str, np.ndarray]
    records: list[bytes]  # the answer columns of each shelter, marshalled: compact and quick
    row_of_fid: dict[int, int]
    trees: dict[SubsetKey, tuple[np.ndarray, shapely.STRtree]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def build(
        cls, conn: Conn, version: int, columns: tuple[str, ...], hazards: tuple[str, ...]
    ) -> ShelterIndex:
        """Read the version table (``columns`` include the ``hz_<hazard>`` flags)."""
        query = sql.SQL("SELECT fid, ST_X(geom), ST_Y(geom), {} FROM {}").format(
            sql.SQL(", ").join(sql.Identifier(c) for c in columns),
            version_table("shelters", version),
        )
        fids: list[int] = []
        lons: list[float] = []
        lats: list[float] = []
        records: list[bytes] = []
        flag_at = [columns.index(f"hz_{h}") for h in hazards]
        flag_rows: list[tuple[bool, ...]] = []
        with conn.cursor(name="kasane_shelter_index") as cur:
            cur.itersize = FETCH_ROWS
            for fid, x, y, *values in cur.execute(query):
                fids.append(fid)
                lons.append(x)
                lats.append(y)
                records.append(marshal.dumps(tuple(values)))  # ValueError if not plain values
                flag_rows.append(tuple(values[i] is True for i in flag_at))
        lon, lat = np.array(lons, dtype=float), np.array(lats, dtype=float)
        table = np.array(flag_rows, dtype=bool).reshape(len(records), len(hazards))
        flags = {h: table[:, i] for i, h in enumerate(hazards)}
        return cls(
            version=version,
            hazards=hazards,
            columns=columns,
            fids=np.array(fids, dtype=np.int64),
            lon=lon,
            lat=lat,
            points=shapely.points(lon, lat),
            flags=flags,
            records=records,
            row_of_fid={int(f): i for i, f in enumerate(fids)},
        )

    def read_statuses(self, conn: Conn, epoch: int) -> Statuses:
        """The statuses of this version's shelters now (label them with the epoch read
        *before* this call, so a change during the read makes the snapshot stale at once)."""
        rows = conn.execute(
            sql.SQL(
                "SELECT s.fid, st.status, st.crowding, st.updated_at"
                " FROM kasane.shelter_status st JOIN {} s ON s.shelter_id = st.shelter_id"
            ).format(version_table("shelters", self.version))
        ).fetchall()
        by_row: dict[int, tuple[str | None, str | None, Any]] = {}
        open_mask = np.zeros(len(self.fids), dtype=bool)
        for fid, status, crowding, updated in rows:
            row = self.row_of_fid.get(int(fid))
            if row is None:
                continue
            by_row[row] = (status, crowding, updated)
            open_mask[row] = status in OPEN_STATES
        return Statuses(epoch, by_row, open_mask)

    def _tree(self, statuses: Statuses, hazard: str | None, open_only: bool) -> Any:
        key: SubsetKey = (hazard, open_only)
        home = statuses.trees if open_only else self.trees
        found = home.get(key)
        if found is None:
            with self.lock:
                found = home.get(key)
                if found is None:
                    mask = np.ones(len(self.fids), dtype=bool)
                    if hazard is not None:
                        mask &= self.flags[hazard]
                    if open_only:
                        mask &= statuses.open_mask
                    found = home[key] = _subset_tree(self.points, mask)
        return found

    def _distances(self, lon: float, lat: float, rows: np.ndarray) -> np.ndarray:
        _, _, metres = GEOD.inv(
            np.full(len(rows), lon), np.full(len(rows), lat), self.lon[rows], self.lat[rows]
        )
        return np.asarray(metres)

    def nearest_rows(
        self,
        statuses: Statuses,
        lon: float,
        lat: float,
        hazard: str | None,
        open_only: bool,
        n: int,
    ) -> list[tuple[Any, ...]]:
        """The rows :func:`gis.residents.shelters.nearest_rows` would give: the attribute columns,
        lon,
        lat, distance (m), status, crowding, updated_at, nearest first (ties by fid)."""
        subset, tree = self._tree(statuses, hazard, open_only)
        if len(subset) == 0:
            return []
        k = min(n, len(subset))
        rows = subset[self._candidates(tree, lon, lat, k)]
        bound = float(np.partition(self._distances(lon, lat, rows), k - 1)[k - 1])
        rows = subset[tree.query(_box_holding(lon, lat, bound))]
        metres = self._distances(lon, lat, rows)
        order = np.lexsort((self.fids[rows], metres))[:k]
        return self._rows(statuses, rows[order], metres[order])

    @staticmethod
    def _candidates(tree: shapely.STRtree, lon: float, lat: float, k: int) -> np.ndarray:
        """At least ``k`` shelters of the subset near the point (a growing planar box)."""
        point = shapely.Point(lon, lat)
        nearest = tree.query_nearest(point, return_distance=True)[1]
        reach = max(float(nearest[0]) * 2.0, 1e-4)
        while True:
            found = tree.query(shapely.box(lon - reach, lat - reach, lon + reach, lat + reach))
            if len(found) >= k or reach > 360.0:
                return np.asarray(found)
            reach *= 2.0

    def _rows(
        self, statuses: Statuses, rows: np.ndarray, metres: np.ndarray
    ) -> list[tuple[Any, ...]]:
        out = []
        for row, distance in zip(rows.tolist(), metres.tolist(), strict=True):
            status = statuses.by_row.get(row, (None, None, None))
            values = marshal.loads(self.records[row])
            out.append((*values, float(self.lon[row]), float(self.lat[row]), distance, *status))
        return out


def _box_holding(lon: float, lat: float, metres: float) -> shapely.Geometry:
    """A lon/lat box that holds every point at most ``metres`` (geodesic) from the point."""
    dlat = metres / METRES_PER_DEGREE_LAT_MIN * BOX_SAFETY + 1e-9
    widest = math.radians(min(abs(lat) + dlat, 89.9))
    dlon = metres / (METRES_PER_DEGREE_LON_EQUATOR_MIN * math.cos(widest)) * BOX_SAFETY + 1e-9
    return shapely.box(lon - dlon, lat - dlat, lon + dlon, lat + dlat)
