"""Mobile dead-zone reduction: districts still unresolved per year, per municipality, vs target.

A district counts as *unresolved at the end of year Y* when it was surveyed in or before Y and
its ``resolved_year`` is empty or later than Y (see ``layers/README.md``); it counts as
*resolved in Y* when ``resolved_year = Y``. ``in_progress`` districts are unresolved. The target
series (e.g. ``2019:62,2022:40``) comes from the ``KASANE_DEADZONE_TARGETS`` setting.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from psycopg import sql

from gis.layerstore.loaded_layers import require_loaded, served_version
from gis.layerstore.storage import Conn, layer_view
from gis.platform.errors import BadRequest, NotFound

LAYER = "dead_zones"
BOUNDARIES = "admin_boundaries"


def target_for(targets: dict[int, int], year: int) -> float | None:
    """The target in ``year``: the value given, else linear between the two nearest given years.

    Years before the first or after the last target year have no target (None).
    """
    if year in targets:
        return float(targets[year])
    before = [y for y in targets if y < year]
    after = [y for y in targets if y > year]
    if not before or not after:
        return None
    y0, y1 = max(before), min(after)
    return targets[y0] + (targets[y1] - targets[y0]) * (year - y0) / (y1 - y0)


@dataclass(frozen=True)
class YearFigures:
    """The state at the end of one year (for the prefecture or one municipality)."""

    year: int
    unresolved_districts: int
    unresolved_households: int
    resolved_districts: int  # resolved during this year
    resolved_households: int
    target: float | None = None


@dataclass(frozen=True)
class MunicipalityFigures:
    """One municipality as of the chosen year, with its own yearly series."""

    lg_code: str
    name: str | None
    surveyed_districts: int
    unresolved_districts: int
    unresolved_households: int
    resolved_districts: int  # resolved up to and including the chosen year
    years: list[YearFigures] = field(default_factory=list)


@dataclass(frozen=True)
class DeadZoneSummary:
    """What ``/api/deadzones/summary`` returns."""

    as_of: int
    first_year: int
    last_year: int
    targets: dict[int, int]
    current: YearFigures
    years: list[YearFigures]
    municipalities: list[MunicipalityFigures] | None

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (target years as strings, as JSON needs)."""
        data = asdict(self)
        data["targets"] = {str(y): n for y, n in self.targets.items()}
        return data


_ROWS = sql.SQL("SELECT lg_code, coalesce(households, 0), surveyed_year, resolved_year FROM {}")


def _districts(conn: Conn) -> list[tuple[str, int, int | None, int | None]]:
    require_loaded(conn, LAYER)
    rows = conn.execute(_ROWS.format(layer_view(LAYER))).fetchall()
    return [(str(r[0]), int(r[1]), r[2], r[3]) for r in rows]


def year_range(conn: Conn) -> tuple[int, int]:
    """First survey year and the last year with data (latest survey or resolution)."""
    rows = _districts(conn)
    return _span(rows)


def _span(rows: list[tuple[str, int, int | None, int | None]]) -> tuple[int, int]:
    years = [y for r in rows for y in (r[2], r[3]) if y is not None]
    if not years:
        raise NotFound(f"layer {LAYER!r} has no survey or resolution years")
    surveyed = [r[2] for r in rows if r[2] is not None]
    return (min(surveyed) if surveyed else min(years)), max(years)


def _figures(
    rows: list[tuple[str, int, int | None, int | None]], year: int, targets: dict[int, int]
) -> YearFigures:
    unresolved = [
        r for r in rows if (r[2] is None or r[2] <= year) and (r[3] is None or r[3] > year)
    ]
    resolved = [r for r in rows if r[3] == year]
    return YearFigures(
        year=year,
        unresolved_districts=len(unresolved),
        unresolved_households=sum(r[1] for r in unresolved),
        resolved_districts=len(resolved),
        resolved_households=sum(r[1] for r in resolved),
        target=target_for(targets, year),
    )


def _municipality_names(conn: Conn) -> dict[str, str]:
    if served_version(conn, BOUNDARIES) is None:
        return {}
    rows = conn.execute(
        sql.SQL("SELECT lg_code, name FROM {}").format(layer_view(BOUNDARIES))
    ).fetchall()
    return {str(code): str(name) for code, name in rows}


def summary(
    conn: Conn, *, as_of: int | None, by: str | None, targets: dict[int, int]
) -> DeadZoneSummary:
    """Districts and households unresolved at the end of each year up to ``as_of``.

    ``by`` is None (prefecture only) or ``"municipality"``. ``as_of`` defaults to the last
    year with data and must lie between the first survey year and that year.
    """
    if by not in (None, "", "municipality"):
        raise BadRequest(f"by must be 'municipality' or absent, not {by!r}")
    rows = _districts(conn)
    first, last = _span(rows)
    year = last if as_of is None else as_of
    if not first <= year <= last:
        raise BadRequest(f"as_of must be a year from {first} to {last}, not {year}")
    series = [_figures(rows, y, targets) for y in range(first, year + 1)]
    municipalities = None
    if by == "municipality":
        names = _municipality_names(conn)
        municipalities = []
        for code in sorted({r[0] for r in rows}):
            own = [r for r in rows if r[0] == code]
            own_series = [_figures(own, y, {}) for y in range(first, year + 1)]
            municipalities.append(
                MunicipalityFigures(
                    lg_code=code,
                    name=names.get(code),
                    surveyed_districts=sum(1 for r in own if r[2] is None or r[2] <= year),
                    unresolved_districts=own_series[-1].unresolved_districts,
                    unresolved_households=own_series[-1].unresolved_households,
                    resolved_districts=sum(1 for r in own if r[3] is not None and r[3] <= year),
                    years=own_series,
                )
            )
    return DeadZoneSummary(
        as_of=year,
        first_year=first,
        last_year=last,
        targets=targets,
        current=series[-1],
        years=series,
        municipalities=municipalities,
    )


CSV_COLUMNS = (
    "lg_code",
    "municipality",
    "year",
    "unresolved_districts",
    "unresolved_households",
    "resolved_districts",
    "resolved_households",
    "target",
)


def summary_rows(result: DeadZoneSummary) -> list[dict[str, Any]]:
    """Long-format rows for CSV: the prefecture total (``lg_code`` empty) and each municipality."""
    rows: list[dict[str, Any]] = []

    def add(code: str, name: str, series: list[YearFigures]) -> None:
        for item in series:
            data = asdict(item)
            rows.append({"lg_code": code, "municipality": name, **data})

    add("", "合計 / total", result.years)
    for muni in result.municipalities or []:
        add(muni.lg_code, muni.name or muni.lg_code, muni.years)
    return [{key: row.get(key) for key in CSV_COLUMNS} for row in rows]


def districts_geojson(conn: Conn, as_of: int) -> dict[str, Any]:
    """Every district as GeoJSON with ``status_as_of`` (unresolved/resolved) at the end of a year.

    Made for the dead-zone map: colour by ``status_as_of``; districts surveyed after ``as_of``
    are left out.
    """
    require_loaded(conn, LAYER)
    query = sql.SQL(
        "SELECT coalesce(json_agg(json_build_object("
        "'type', 'Feature', 'id', fid, 'geometry', ST_AsGeoJSON(geom, 6)::json,"
        "'properties', json_build_object('lg_code', lg_code, 'district_name', district_name,"
        " 'households', households, 'status', status, 'resolved_year', resolved_year,"
        " 'status_as_of', CASE WHEN resolved_year IS NOT NULL AND resolved_year <= %(y)s"
        " THEN 'resolved' ELSE 'unresolved' END)) ORDER BY fid), '[]'::json)"
        " FROM {} WHERE surveyed_year IS NULL OR surveyed_year <= %(y)s"
    ).format(layer_view(LAYER))
    row = conn.execute(query, {"y": as_of}).fetchone()
    return {"type": "FeatureCollection", "as_of": as_of, "features": row[0] if row else []}
