"""MLIT 位置参照情報 as published: 街区レベル (14 columns) and 大字・町丁目レベル (10 columns).

Both levels load into the one ``addresses`` layer (``level`` tells them apart), so the gazetteer
gets the versions, report and rollback every layer has. Columns are those of the format's
documentation (see docs/search.md); 緯度/経度 are decimal degrees, so the plane-rectangular
Ｘ/Ｙ columns are not needed. Flags other than 0/1 are reported and left empty.
"""

from __future__ import annotations

from etl.cell_values import clean, lg_code_or_none, parse_int, text_or_none
from etl.readers import Table
from etl.sources import Context, Mapped, Source, has, points_from, values
from gis.layerstore.layerspec import LayerKind

LAT, LON = ("緯度",), ("経度",)
BLOCK_COLUMNS = ("都道府県名", "市区町村名", "大字・丁目名", "街区符号・地番", "座標系番号",
                 "住居表示フラグ", "緯度", "経度")  # fmt: skip
TOWN_COLUMNS = ("都道府県コード", "市区町村コード", "大字町丁目コード", "大字町丁目名", "緯度",
                "経度", "大字・字・丁目区分コード")  # fmt: skip


def _texts(table: Table, name: str) -> list[object]:
    return [text_or_none(v) for v in values(table, name)]


def _flags(table: Table, ctx: Context, name: str) -> list[object]:
    """0/1 flags; anything else is reported (row, column) and stored as unknown."""
    out: list[object] = []
    for row, raw in zip(table.rows, values(table, name), strict=True):
        text = clean(raw)
        if text in ("0", "1"):
            out.append(text == "1")
            continue
        if text:
            ctx.report.add(int(row), name, f"flag {text!r} is neither 0 nor 1", "flagged")
        out.append(None)
    return out


def _recognise_block(table: Table) -> bool:
    return table.geometry is None and has(table, *BLOCK_COLUMNS)


def _map_block(table: Table, ctx: Context) -> Mapped:
    n = len(table)
    columns: dict[str, list[object]] = {
        "level": ["block"] * n,
        "pref_name": _texts(table, "都道府県名"),
        "city_name": _texts(table, "市区町村名"),
        "town_name": _texts(table, "大字・丁目名"),
        "koaza": _texts(table, "小字・通称名"),
        "block": _texts(table, "街区符号・地番"),
        "city_code": [None] * n,
        "town_code": [None] * n,
        "town_kind": [None] * n,
        "residential": _flags(table, ctx, "住居表示フラグ"),
        "representative": _flags(table, ctx, "代表フラグ"),
        "superseded": _flags(table, ctx, "更新前履歴フラグ"),
    }
    return Mapped(columns, points_from(table, ctx, LAT, LON), table.rows)


def _recognise_town(table: Table) -> bool:
    return table.geometry is None and has(table, *TOWN_COLUMNS)


def _city_codes(table: Table, ctx: Context) -> list[object]:
    out: list[object] = []
    for row, raw in zip(table.rows, values(table, "市区町村コード"), strict=True):
        code, problem = lg_code_or_none(raw)
        if problem:
            ctx.report.add(int(row), "市区町村コード", problem, "flagged")
        out.append(code)
    return out


def _map_town(table: Table, ctx: Context) -> Mapped:
    n = len(table)
    kinds: list[object] = []
    for row, raw in zip(table.rows, values(table, "大字・字・丁目区分コード"), strict=True):
        kind = parse_int(raw)
        if kind is None and clean(raw):
            ctx.report.add(
                int(row), "大字・字・丁目区分コード", f"{clean(raw)!r} is no code", "flagged"
            )
        kinds.append(kind)
    columns: dict[str, list[object]] = {
        "level": ["town"] * n,
        "pref_name": _texts(table, "都道府県名"),
        "city_name": _texts(table, "市区町村名"),
        "town_name": _texts(table, "大字町丁目名"),
        "koaza": [None] * n,
        "block": [None] * n,
        "city_code": _city_codes(table, ctx),
        "town_code": _texts(table, "大字町丁目コード"),
        "town_kind": kinds,
        "residential": [None] * n,
        "representative": [None] * n,
        "superseded": [None] * n,
    }
    return Mapped(columns, points_from(table, ctx, LAT, LON), table.rows)


ADDRESS_SOURCES = (
    Source(
        "位置参照情報 街区レベル CSV (都道府県名, 市区町村名, 大字・丁目名, 街区符号・地番, …)",
        (LayerKind.ADDRESS,),
        _recognise_block,
        _map_block,
    ),
    Source(
        "位置参照情報 大字・町丁目レベル CSV (市区町村コード, 大字町丁目コード, …)",
        (LayerKind.ADDRESS,),
        _recognise_town,
        _map_town,
    ),
)
