"""Who publishes what in a shared layer: each served part, and the municipalities without one.

For ``kasane layers parts`` and the parts page: the municipality, its part's served version,
features, last update, source files and publisher, whether it is older than the configured
age (``KASANE_PART_MAX_AGE_DAYS``), and the municipalities of the owning prefecture that have no
part yet (from the served administrative boundaries, when they are loaded).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from psycopg import sql

from gis.geo.lg_codes import prefecture_code
from gis.layerstore.layerspec import LayerSpec
from gis.layerstore.parts import composition
from gis.layerstore.storage import Conn, layer_view

BOUNDARIES = "admin_boundaries"


@dataclass(frozen=True)
class PartStatus:
    """One served part of a shared layer."""

    code: str
    name: str
    version: int
    features: int
    loaded_at: datetime
    loaded_by: str
    files: list[str]
    stale: bool


@dataclass(frozen=True)
class LayerParts:
    """Every served part of a layer, and the municipalities that have none."""

    parts: list[PartStatus]
    missing: list[tuple[str, str]]  # (code, name)
    names_known: bool  # the administrative boundaries are loaded (else missing is empty)


def municipality_names(conn: Conn, prefecture: str) -> dict[str, str]:
    """Names of the prefecture's municipalities by code (empty when no boundaries are loaded)."""
    loaded = conn.execute(
        "SELECT 1 FROM kasane.layer_current WHERE layer_id = %s", (BOUNDARIES,)
    ).fetchone()
    if not loaded:
        return {}
    rows = conn.execute(
        sql.SQL(
            "SELECT DISTINCT lg_code, name FROM {} WHERE starts_with(lg_code, %s) ORDER BY lg_code"
        ).format(layer_view(BOUNDARIES)),
        (prefecture[:2],),
    ).fetchall()
    return {str(code): str(name) for code, name in rows}


def layer_parts(
    conn: Conn, spec: LayerSpec, max_age_days: int, now: datetime | None = None
) -> LayerParts:
    """The parts of ``spec`` as served now (see the module doc)."""
    served = composition(conn, spec.id)
    names = municipality_names(conn, prefecture_code(spec.owner))
    rows = conn.execute(
        "SELECT part, version, rows_loaded, loaded_at, loaded_by, source_files"
        " FROM kasane.layer_parts p JOIN jsonb_each_text(%s::jsonb) c"
        " ON c.key = p.part AND c.value::int = p.version WHERE p.layer_id = %s ORDER BY part",
        (_json(served), spec.id),
    ).fetchall()
    limit = (now or datetime.now(UTC)) - timedelta(days=max_age_days)
    parts = [
        PartStatus(str(r[0]), names.get(str(r[0]), ""), int(r[1]), int(r[2]), r[3], str(r[4]),
                   [str(f["name"]) for f in r[5]], r[3] < limit)
        for r in rows
    ]  # fmt: skip
    missing = [(code, name) for code, name in names.items() if code not in served]
    return LayerParts(parts, missing, bool(names))


def _json(parts: dict[str, int]) -> str:
    import json

    return json.dumps(parts)
