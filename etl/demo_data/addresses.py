"""A demo gazetteer in the real 位置参照情報 format, loaded through ``kasane load addresses``.

MLIT publishes per prefecture two zips of CSV: 街区レベル (``35000-22.0a.zip``) and
大字・町丁目レベル (``35000-17.0b.zip``), each with one CSV per prefecture: CP932, every
cell quoted, CRLF, one header row. This module writes both for the demo towns (the named places of
:mod:`etl.demo_data.places`; a few central ones get 丁目) so the demo's search meets the same
reader, mapping and checks as real files. Blocks are laid on a 110 m grid around each town's
point; the plane-rectangular Ｘ/Ｙ (zone III, EPSG:6671; X northing) are computed, not invented.
"""

from __future__ import annotations

import csv
import io
import zipfile

from pyproj import Transformer

from etl.demo_data.places import MUNICIPALITY_BY_CODE, PLACES, PREFECTURE, Place

BLOCK_HEADER = ("都道府県名", "市区町村名", "大字・丁目名", "小字・通称名",
                "街区符号・地番", "座標系番号", "Ｘ座標", "Ｙ座標", "緯度", "経度",
                "住居表示フラグ", "代表フラグ", "更新前履歴フラグ", "更新後履歴フラグ")  # fmt: skip
TOWN_HEADER = ("都道府県コード", "都道府県名", "市区町村コード", "市区町村名",
               "大字町丁目コード", "大字町丁目名", "緯度", "経度", "原典資料コード",
               "大字・字・丁目区分コード")  # fmt: skip
KANJI = "〇一二三四五六七八九"
CHOME_PLACES = {"中央": 5, "湯田": 6, "松崎": 4, "岐波": 3}  # 中央一丁目 … 中央五丁目
BLOCKS_PER_TOWN = 12
STEP = 0.0012  # degrees between blocks (about 110 m)
# (member name, zip name) of the two files, as MLIT names them
BLOCK_FILE = ("35000-22.0a/35_2023.csv", "35000-22.0a.zip")
TOWN_FILE = ("35000-17.0b/35_2023.csv", "35000-17.0b.zip")


def _kanji(n: int) -> str:
    return KANJI[n] if n < 10 else "十" + (KANJI[n - 10] if n > 10 else "")


def _towns(place: Place) -> list[tuple[str, float, float, int]]:
    """(大字・町丁目名, lon, lat, 区分コード) of a demo place: its 丁目, or 大字 + the place."""
    chome = CHOME_PLACES.get(place.name)
    if chome is None:
        return [(f"大字{place.name}" if place.hill else place.name, place.lon, place.lat, 1)]
    return [
        (f"{place.name}{_kanji(n)}丁目", place.lon + (n - 1) * 0.004, place.lat, 3)
        for n in range(1, chome + 1)
    ]


def _csv(header: tuple[str, ...], rows: list[list[str]]) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return text.getvalue().encode("cp932")


def _zip(member: str, data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        info = zipfile.ZipInfo(member, date_time=(2024, 4, 1, 0, 0, 0))  # same bytes every run
        info.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(info, data)
    return out.getvalue()


def block_rows() -> list[list[str]]:
    """街区レベル rows: a grid of numbered blocks (or lots, for 大字) around each town."""
    to_plane = Transformer.from_crs("EPSG:6668", "EPSG:6671")  # JGD2011 -> zone III (lat, lon)
    rows: list[list[str]] = []
    for place in PLACES:
        city = MUNICIPALITY_BY_CODE[place.code].name
        for town, lon0, lat0, kind in _towns(place):
            for n in range(1, BLOCKS_PER_TOWN + 1):
                lon = lon0 + ((n - 1) % 4 - 1.5) * STEP
                lat = lat0 + ((n - 1) // 4 - 1) * STEP
                x, y = to_plane.transform(lat, lon)
                block = str(n) if kind == 3 else str(100 * n + 1)
                rows.append([PREFECTURE, city, town, "", block, "3", f"{x:.1f}", f"{y:.1f}",
                             f"{lat:.6f}", f"{lon:.6f}", "1" if kind == 3 else "0",
                             "1", "0", "0"])  # fmt: skip
    return rows


def town_rows() -> list[list[str]]:
    """大字・町丁目レベル rows: one per town, with its 12-digit code."""
    rows: list[list[str]] = []
    for serial, place in enumerate(PLACES, start=1):
        muni = MUNICIPALITY_BY_CODE[place.code]
        for n, (town, lon, lat, kind) in enumerate(_towns(place)):
            code = f"{place.code[:5]}{serial:04d}{n:03d}"
            rows.append(["35", PREFECTURE, place.code[:5], muni.name, code, town,
                         f"{lat:.6f}", f"{lon:.6f}", "3", str(kind)])  # fmt: skip
    return rows


def demo_address_files() -> dict[str, bytes]:
    """The two zips as MLIT names them (file name -> bytes); identical on every call."""
    return {
        BLOCK_FILE[1]: _zip(BLOCK_FILE[0], _csv(BLOCK_HEADER, block_rows())),
        TOWN_FILE[1]: _zip(TOWN_FILE[0], _csv(TOWN_HEADER, town_rows())),
    }
