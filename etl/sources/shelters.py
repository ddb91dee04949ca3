"""Shelters: GSI 指定緊急避難場所・指定避難所 GeoJSON, and municipal CSVs of the 推奨データセット.

GSI files carry 共通ID (``E`` + 5-digit municipality code + serial) and the eight hazard flags
without prefix; the designated-shelter (指定避難所) files have no flags. Municipal CSVs come in
several header variants (``災害種別_崖崩れ、土石流及び地滑り`` or ``…_崖崩れ_土石流…``; ``ID`` or
``NO``; codes in 5 or 6 digits) with flags written ``1``, ``〇``, ``○（２階）`` or ``×``.
"""

from __future__ import annotations

import re

import numpy as np

from etl.cell_values import lg_code_or_none, parse_count, parse_flag, text_or_none
from etl.readers import Table
from etl.sources import Context, Mapped, Source, column, has, points_from, values
from gis.geo.lg_codes import check_digit
from gis.layerstore.layerspec import LayerKind

HAZARDS = (
    ("hz_flood", "洪水"),
    ("hz_landslide", "崖崩れ、土石流及び地滑り"),
    ("hz_storm_surge", "高潮"),
    ("hz_earthquake", "地震"),
    ("hz_tsunami", "津波"),
    ("hz_fire", "大規模な火事"),
    ("hz_inland_flood", "内水氾濫"),
    ("hz_volcano", "火山現象"),
)
_GSI_ID = re.compile(r"^[EP](\d{5})\d+$")


def _flags(table: Table, ctx: Context, prefix: str) -> tuple[dict[str, list[object]], list[str]]:
    """The eight hazard booleans, plus per-row notes found next to the marks."""
    out: dict[str, list[object]] = {}
    notes = [""] * len(table)
    for field, label in HAZARDS:
        name = column(table, prefix + label, label)
        if name is None:
            out[field] = [None] * len(table)
            continue
        parsed: list[object] = []
        for i, cell in enumerate(table.columns[name]):
            flag, note = parse_flag(cell)
            if flag is None:
                ctx.report.add(int(table.rows[i]), name, f"unreadable flag {cell!r}", "flagged")
            if note:
                notes[i] += f"{label}: {note}; "
            parsed.append(flag)
        out[field] = parsed
    return out, [n.rstrip("; ") for n in notes]


def _join(*parts: object) -> str | None:
    text = " / ".join(str(p) for p in parts if p)
    return text or None


def _recognise_gsi(table: Table) -> bool:
    return table.geometry is not None and has(table, "共通ID", "施設・場所名")


def _map_gsi(table: Table, ctx: Context) -> Mapped:
    ids = [text_or_none(v) for v in values(table, "共通ID")]
    codes: list[object] = []
    for row, sid in zip(table.rows, ids, strict=True):
        m = _GSI_ID.match(sid or "")
        codes.append(m[1] + check_digit(m[1]) if m else None)
        if not m:
            ctx.report.add(
                int(row), "共通ID", f"共通ID {sid!r} holds no municipality code", "rejected"
            )
    emergency = has(table, "洪水")
    welfare = [bool(text_or_none(v)) for v in values(table, "受入対象者")]
    flags, notes = _flags(table, ctx, "") if emergency else ({}, [""] * len(table))
    if emergency:
        kinds: list[object] = ["emergency_site"] * len(table)
    else:
        kinds = ["welfare" if w else "shelter" for w in welfare]
    columns: dict[str, list[object]] = {
        "shelter_id": list(ids),
        "lg_code": codes,
        "name": [text_or_none(v) for v in values(table, "施設・場所名")],
        "address": [text_or_none(v) for v in values(table, "住所")],
        "kind": kinds,
        **flags,
        "note": [
            _join(text_or_none(b), n, text_or_none(o))
            for b, n, o in zip(
                values(table, "備考"), notes, values(table, "受入対象者"), strict=True
            )
        ],
    }
    assert table.geometry is not None
    return Mapped(columns, table.geometry, table.rows)


def _recognise_csv(table: Table) -> bool:
    return table.geometry is None and has(table, "名称", "緯度", "経度", "災害種別_洪水|洪水")


def _file_code(ctx: Context) -> str | None:
    for digits in re.findall(r"(?<!\d)(\d{6})(?!\d)", ctx.path.name):
        code, problem = lg_code_or_none(digits)
        if code and not problem:
            return code
    return None


def _map_csv(table: Table, ctx: Context) -> Mapped:
    codes: list[object] = []
    fallback = _file_code(ctx)
    raw_codes = values(
        table, "全国地方公共団体コード", "市区町村コード", "所在地_全国地方公共団体コード"
    )
    for row, raw in zip(table.rows, raw_codes, strict=True):
        code, problem = lg_code_or_none(raw)
        if problem:
            ctx.report.add(int(row), "市区町村コード", problem, "rejected")
        elif code is None and fallback:
            ctx.report.add(
                int(row),
                "市区町村コード",
                f"municipality code empty; taken from the file name ({fallback})",
                "repaired",
            )
            code = fallback
        codes.append(code)
    ids = [text_or_none(v) for v in values(table, "ID", "NO")]
    shelter_ids: list[object] = [
        i if i and _GSI_ID.match(i) else (f"{c}-{i}" if c and i else None)
        for i, c in zip(ids, codes, strict=True)
    ]
    flags, notes = _flags(table, ctx, "災害種別_")
    also_shelter = [parse_flag(v)[0] for v in values(table, "指定避難所との重複")]
    counts = [parse_count(v) for v in values(table, "想定収容人数")]
    columns: dict[str, list[object]] = {
        "shelter_id": shelter_ids,
        "lg_code": codes,
        "name": [text_or_none(v) for v in values(table, "名称")],
        "name_kana": [text_or_none(v) for v in values(table, "名称_カナ")],
        "address": [
            _join(text_or_none(a), text_or_none(b))
            for a, b in zip(
                values(table, "住所", "所在地_連結表記"),
                values(table, "方書", "建物名等(方書)"),
                strict=True,
            )
        ],
        "kind": ["both" if s else "emergency_site" for s in also_shelter],
        **flags,
        "capacity": [c[0] for c in counts],
        "capacity_note": [c[1] for c in counts],
        "phone": [text_or_none(v) for v in values(table, "電話番号")],
        "url": [text_or_none(v) for v in values(table, "URL")],
        "note": [
            _join(text_or_none(b), n) for b, n in zip(values(table, "備考"), notes, strict=True)
        ],
    }
    geometry = points_from(table, ctx, ["緯度"], ["経度"])
    return Mapped(columns, geometry, table.rows)


SHELTER_SOURCES = (
    Source(
        "GSI shelter GeoJSON (共通ID, 施設・場所名)", (LayerKind.SHELTER,), _recognise_gsi, _map_gsi
    ),
    Source(
        "municipal shelter CSV (名称, 緯度, 経度, 災害種別_*)",
        (LayerKind.SHELTER,),
        _recognise_csv,
        _map_csv,
    ),
)
_ = np  # numpy arrays flow through Mapped
