"""Point lists from CSV: EV charging stations and public Wi-Fi (推奨データセット and variants)."""

from __future__ import annotations

from etl.cell_values import lg_code_or_none, parse_int, text_or_none
from etl.readers import Table
from etl.sources import Context, Mapped, Source, has, points_from, values
from gis.layerstore.layerspec import LayerKind

LAT = ("緯度", "latitude", "lat", "Y")
LON = ("経度", "longitude", "lon", "lng", "X")
CODE = ("全国地方公共団体コード", "都道府県コード又は市区町村コード", "市区町村コード", "lg_code")


def _texts(table: Table, *aliases: str) -> list[object]:
    return [text_or_none(v) for v in values(table, *aliases)]


def _codes(table: Table, ctx: Context) -> list[object]:
    out: list[object] = []
    for row, raw in zip(table.rows, values(table, *CODE), strict=True):
        code, problem = lg_code_or_none(raw)
        if problem:
            ctx.report.add(int(row), "市区町村コード", problem, "flagged")
        out.append(code)
    return out


def _charger_type(text: object) -> str | None:
    value = text_or_none(text) or ""
    quick, normal = "急速" in value or "quick" in value.lower(), "普通" in value
    return "both" if quick and normal else "quick" if quick else "normal" if normal else None


def _recognise_ev(table: Table) -> bool:
    return table.geometry is None and has(table, "スタンド名|名称|name", "|".join(LAT))


def _map_ev(table: Table, ctx: Context) -> Mapped:
    columns: dict[str, list[object]] = {
        "name": _texts(table, "スタンド名", "名称", "name"),
        "address": _texts(table, "住所", "所在地_連結表記", "address"),
        "lg_code": _codes(table, ctx),
        "charger_type": [
            _charger_type(v) for v in values(table, "充電器の種類", "種別", "charger_type")
        ],
        "connectors": [parse_int(v) for v in values(table, "口数", "充電器数", "connectors")],
        "hours": _texts(table, "利用可能時間", "利用時間", "hours"),
        "phone": _texts(table, "電話番号", "phone"),
        "operator": _texts(table, "設置者", "運営者", "operator"),
        "url": _texts(table, "URL"),
    }
    return Mapped(columns, points_from(table, ctx, LAT, LON), table.rows)


def _recognise_wifi(table: Table) -> bool:
    return table.geometry is None and has(table, "SSID", "名称", "緯度", "経度")


def _map_wifi(table: Table, ctx: Context) -> Mapped:
    columns: dict[str, list[object]] = {
        "name": _texts(table, "名称"),
        "address": _texts(table, "住所", "所在地_連結表記"),
        "lg_code": _codes(table, ctx),
        "ssid": _texts(table, "SSID"),
        "provider": _texts(table, "設置者"),
        "hours": _texts(table, "利用可能時間", "利用時間"),
        "note": [
            " / ".join(str(x) for x in (a, b) if x) or None
            for a, b in zip(_texts(table, "提供エリア"), _texts(table, "備考"), strict=True)
        ],
        "url": _texts(table, "URL"),
    }
    return Mapped(columns, points_from(table, ctx, LAT, LON), table.rows)


POINT_SOURCES = (
    Source(
        "public Wi-Fi CSV (名称, SSID, 緯度, 経度)",
        (LayerKind.WIFI_SPOT,),
        _recognise_wifi,
        _map_wifi,
    ),
    Source(
        "EV charging CSV (スタンド名 or 名称, 緯度, 経度)",
        (LayerKind.EV_CHARGER,),
        _recognise_ev,
        _map_ev,
    ),
)
