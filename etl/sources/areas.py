"""Areas: flood-depth grids, landslide zones (Tokyo style and KSJ A33), N03 boundaries."""

from __future__ import annotations

import re
from datetime import date

import numpy as np
import shapely

from etl.cell_values import clean, lg_code_or_none, parse_float, parse_int, text_or_none
from etl.readers import Table
from etl.sources import Context, Mapped, Source, column, has, values
from gis.layerstore.layerspec import LayerKind

RANK_EDGES = (0.5, 3.0, 5.0, 10.0, 20.0)  # MLIT standard depth ranks 1-6 (A31a_105/205)
_ERAS = {"令和": 2018, "平成": 1988, "昭和": 1925}


def depth_rank(depth_m: float) -> int:
    """MLIT rank: 1 < 0.5 m, 2 < 3.0 m, 3 < 5.0 m, 4 < 10.0 m, 5 < 20.0 m, 6 ≥ 20.0 m."""
    return int(np.searchsorted(RANK_EDGES, depth_m, side="right")) + 1


def _recognise_flood(table: Table) -> bool:
    return table.geometry is not None and (has(table, "ZZ") or has(table, "depth_m|浸水深"))


def _class_from_path(ctx: Context) -> str | None:
    for part in reversed(ctx.path.parts[:-1]):
        if "浸水深" in part or re.search(r"\d+(\.\d+)?m", part):
            return part
    return None


def _map_flood(table: Table, ctx: Context) -> Mapped:
    depths = [parse_float(v) for v in values(table, "ZZ", "depth_m", "浸水深")]
    ranks = [depth_rank(d) if d is not None else None for d in depths]
    for row, d in zip(table.rows, depths, strict=True):
        if d is None:
            ctx.report.add(int(row), "ZZ", "no depth value", "rejected")
    source_class = _class_from_path(ctx)
    columns: dict[str, list[object]] = {
        "depth_m": list(depths),
        "depth_rank": list(ranks),
        "source_class": [source_class] * len(table),
        "scenario": [text_or_none(v) for v in values(table, "scenario", "想定")],
        "river_name": [text_or_none(v) for v in values(table, "river_name", "河川名")],
    }
    assert table.geometry is not None
    return Mapped(columns, table.geometry, table.rows)


def era_date(text: object) -> str | None:
    """ISO date from ``令和元年6月28日``, ``平成25年3月1日`` or ``2019/6/28``; None otherwise."""
    s = clean(text)
    if m := re.fullmatch(r"(令和|平成|昭和)(元|\d+)年(\d+)月(\d+)日", s):
        year = _ERAS[m[1]] + (1 if m[2] == "元" else int(m[2]))
        return f"{year:04d}-{int(m[3]):02d}-{int(m[4]):02d}"
    if m := re.fullmatch(r"(\d{4})[/-](\d{1,2})[/-](\d{1,2})", s):
        return f"{m[1]}-{int(m[2]):02d}-{int(m[3]):02d}"
    return None


def _date(iso: str | None) -> date | None:
    """The date of an ISO text, None for none or for an impossible one (2月30日)."""
    try:
        return date.fromisoformat(iso) if iso else None
    except ValueError:
        return None


PHENOMENA = {"急傾斜地の崩壊": 1, "急傾斜": 1, "土石流": 2, "地滑り": 3, "地すべり": 3}
ZONES = {"警戒区域": 1, "特別警戒区域": 2}


def _code_of(text: object, table: dict[str, int]) -> int | None:
    value = clean(text)
    if (number := parse_int(value)) is not None:
        return number
    return table.get(value)


def _recognise_landslide(table: Table) -> bool:
    return table.geometry is not None and has(table, "genshoname|A33_001", "kubun|A33_002")


def _map_landslide(table: Table, ctx: Context) -> Mapped:
    dates = values(table, "koujidate", "A33_007")
    columns: dict[str, list[object]] = {
        "phenomenon": [_code_of(v, PHENOMENA) for v in values(table, "genshoname", "A33_001")],
        "zone_class": [_code_of(v, ZONES) for v in values(table, "kubun", "A33_002")],
        "zone_no": [text_or_none(v) for v in values(table, "keiryunum", "A33_004")],
        "zone_name": [text_or_none(v) for v in values(table, "keiryuname", "A33_005")],
        "address": [text_or_none(v) for v in values(table, "shozaichi", "A33_006")],
        "designated_on": [_date(era_date(v)) for v in dates],
        "lg_code": [lg_code_or_none(v)[0] for v in values(table, "A33_003", "lg_code")],
    }
    for row, raw, parsed in zip(table.rows, dates, columns["designated_on"], strict=True):
        if text_or_none(raw) and parsed is None:
            ctx.report.add(int(row), "koujidate", f"unreadable date {raw!r}", "flagged")
    assert table.geometry is not None
    return Mapped(columns, table.geometry, table.rows)


def _recognise_n03(table: Table) -> bool:
    return table.geometry is not None and has(table, "N03_001")


def _map_n03(table: Table, ctx: Context) -> Mapped:
    """One feature per local-government code (N03 splits islands into many rows)."""
    assert table.geometry is not None
    codes = values(table, "N03_007")
    if column(table, "N03_007") is None:
        ctx.report.add(
            None,
            "N03_007",
            "no municipality code column (N03_007): prefecture outlines cannot be admin boundaries",
            "warning",
        )
    groups: dict[str, list[int]] = {}
    for i, (row, raw) in enumerate(zip(table.rows, codes, strict=True)):
        code, problem = lg_code_or_none(raw)
        if code is None:
            ctx.report.add(int(row), "N03_007", problem or "no municipality code", "rejected")
            continue
        groups.setdefault(code, []).append(i)
    pref, county, city = (values(table, n) for n in ("N03_001", "N03_003", "N03_004"))
    columns: dict[str, list[object]] = {
        n: [] for n in ("lg_code", "pref_name", "county_name", "name", "ward_name")
    }
    geoms, rows = [], []
    for code, idx in groups.items():
        i = idx[0]
        upper, lower = text_or_none(county[i]), text_or_none(city[i])
        is_ward = bool(upper and upper.endswith("市") and lower and lower.endswith("区"))
        columns["lg_code"].append(code)
        columns["pref_name"].append(text_or_none(pref[i]))
        columns["county_name"].append(upper if upper and upper.endswith("郡") else None)
        columns["name"].append(upper if is_ward else lower or upper)
        columns["ward_name"].append(lower if is_ward else None)
        parts = table.geometry[idx]
        geoms.append(parts[0] if len(parts) == 1 else shapely.union_all(parts))
        rows.append(int(table.rows[i]))
    return Mapped(columns, np.array(geoms, dtype=object), np.array(rows, dtype=np.int64))


AREA_SOURCES = (
    Source(
        "flood-depth grid (ZZ depth in m)", (LayerKind.FLOOD_DEPTH,), _recognise_flood, _map_flood
    ),
    Source(
        "landslide zones (genshoname/kubun or KSJ A33_001/A33_002)",
        (LayerKind.LANDSLIDE_ZONE,),
        _recognise_landslide,
        _map_landslide,
    ),
    Source(
        "N03 administrative areas (N03_001…N03_007)",
        (LayerKind.ADMIN_BOUNDARY,),
        _recognise_n03,
        _map_n03,
        whole_file=True,  # a municipality's islands, in any rows, become one feature
    ),
)
