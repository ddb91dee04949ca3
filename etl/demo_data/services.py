"""Service layers: evacuation sites and shelters, EV chargers and public Wi-Fi spots."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from etl.demo_data.layer_frames import layer_frame
from etl.demo_data.places import (
    HOFU,
    M_LAT,
    MUNICIPALITY_BY_CODE,
    PLACES,
    PREFECTURE,
    UBE,
    YAMAGUCHI,
    place_named,
)
from etl.demo_data.shapes import layer_rng
from etl.demo_data.world import World
from gis.layerstore.layerspec import LayerSpec


def _phone(rng: np.random.Generator, code: str) -> str:
    """A phone number of the right shape that cannot exist (exchange 000 / 00)."""
    area = MUNICIPALITY_BY_CODE[code].area_code
    number = int(rng.integers(1000, 9999))
    return f"{area}-000-{number}" if len(area) == 3 else f"{area}-00-{number}"


@dataclass(frozen=True)
class _Facility:
    suffix: str
    kana: str
    kind: str
    weight: float
    capacity: tuple[int, int]
    outdoor: bool = False
    school: bool = False


_HALLS = {
    YAMAGUCHI: ("地域交流センター", "チイキコウリュウセンター"),
    HOFU: ("公民館", "コウミンカン"),
    UBE: ("ふれあいセンター", "フレアイセンター"),
}


def _facilities(code: str) -> list[_Facility]:
    hall, hall_kana = _HALLS[code]
    return [
        _Facility("小学校", "ショウガッコウ", "both", 0.20, (400, 1000), school=True),
        _Facility("中学校", "チュウガッコウ", "both", 0.10, (500, 1200), school=True),
        _Facility(hall, hall_kana, "both", 0.20, (80, 300)),
        _Facility("コミュニティセンター", "コミュニティセンター", "both", 0.06, (60, 200)),
        _Facility("集会所", "シュウカイショ", "shelter", 0.14, (20, 60)),
        _Facility("公園", "コウエン", "emergency_site", 0.12, (1000, 6000), outdoor=True),
        _Facility("運動広場", "ウンドウヒロバ", "emergency_site", 0.06, (800, 4000), outdoor=True),
        _Facility("体育館", "タイイクカン", "both", 0.04, (300, 800)),
        _Facility("高等学校", "コウトウガッコウ", "both", 0.03, (600, 1500), school=True),
        _Facility("福祉センター", "フクシセンター", "welfare", 0.03, (20, 60)),
        _Facility("デイサービスセンター", "デイサービスセンター", "welfare", 0.02, (10, 30)),
    ]


def shelters(
    spec: LayerSpec, world: World, flood: gpd.GeoDataFrame, landslide: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    """Evacuation sites and shelters, their hazard flags read off the flood and landslide layers."""
    rng = layer_rng(3)
    flood_union = shapely.union_all(flood.geometry.values)
    slide_union = shapely.union_all(landslide.geometry.values)
    shapely.prepare(flood_union)
    rows: list[dict[str, Any]] = []
    geoms: list[Any] = []
    for code, count in ((YAMAGUCHI, 88), (HOFU, 46), (UBE, 16)):
        muni = MUNICIPALITY_BY_CODE[code]
        places = [p for p in PLACES if p.code == code]
        facilities = _facilities(code)
        pairs = [(p, f) for p in places for f in facilities]
        # Every town place has its primary school and community hall; the rest is sampled.
        fixed = [
            i
            for i, (p, f) in enumerate(pairs)
            if not p.hill and f.suffix in ("小学校", _HALLS[code][0])
        ]
        weights = np.array([f.weight * (0.4 if p.hill else 1.0) for p, f in pairs])
        weights[fixed] = 0.0
        sampled = rng.choice(
            len(pairs), size=count - len(fixed), replace=False, p=weights / weights.sum()
        )
        for serial, index in enumerate(sorted([*fixed, *sampled.tolist()]), start=1):
            place, facility = pairs[index]
            pt = world.point_near(rng, place, 450.0)
            elev = float(world.elevation(np.array([pt.x]), np.array([pt.y]))[0])
            river_m = pt.distance(world.rivers) * M_LAT
            coast_m = pt.distance(world.coast) * M_LAT
            in_flood = flood_union.contains(pt) or (elev < 8.0 and river_m < 800.0)
            near_slide = pt.distance(slide_union) * M_LAT < 150.0 or elev > 120.0
            coastal_low = elev < 6.0 and coast_m < 1500.0
            note = None
            if facility.kind in ("emergency_site", "both"):
                flags = {
                    "hz_flood": not in_flood,
                    "hz_landslide": not near_slide,
                    "hz_storm_surge": not coastal_low,
                    "hz_earthquake": facility.outdoor or rng.random() < 0.85,
                    "hz_tsunami": elev >= 10.0 or coast_m > 3000.0,
                    "hz_fire": facility.outdoor or (facility.school and rng.random() < 0.5),
                    "hz_inland_flood": not (elev < 10.0 and river_m < 1500.0),
                    "hz_volcano": False,
                }
                if in_flood and facility.school and rng.random() < 0.5:
                    flags["hz_flood"] = True
                    note = "洪水時は2階以上を使用"
                if not any(flags.values()):
                    flags["hz_earthquake"] = True
            else:
                flags = dict.fromkeys(
                    (
                        "hz_flood",
                        "hz_landslide",
                        "hz_storm_surge",
                        "hz_earthquake",
                        "hz_tsunami",
                        "hz_fire",
                        "hz_inland_flood",
                        "hz_volcano",
                    ),
                    False,
                )
            counted = int(rng.integers(*facility.capacity))
            capacity: int | None = counted
            capacity_note = None
            if facility.outdoor:
                capacity = round(counted, -2)
                capacity_note = "屋外 1㎡あたり1人"
            elif rng.random() < 0.3:
                capacity_note = "2㎡あたり1人"
            if rng.random() < 0.03:
                capacity, capacity_note = None, "収容人数未算定"
            if note is None and facility.kind in ("shelter", "both") and rng.random() < 0.1:
                note = "ペット同行避難可"
            rows.append(
                {
                    "shelter_id": f"E{code[:5]}{serial:05d}201",
                    "lg_code": code,
                    "name": f"{place.name}{facility.suffix}",
                    "name_kana": f"{place.kana}{facility.kana}",
                    "address": f"{PREFECTURE}{muni.name}{place.name}{int(rng.integers(1, 3000))}",
                    "kind": facility.kind,
                    **flags,
                    "capacity": capacity,
                    "capacity_note": capacity_note,
                    "phone": None if facility.outdoor else _phone(rng, code),
                    "url": muni.url if facility.suffix == _HALLS[code][0] else None,
                    "note": note,
                }
            )
            geoms.append(pt)
    return layer_frame(spec, rows, geoms)


_EV = (
    ("山口市役所 本庁舎駐車場", "中央", "both", 2, "8:30-17:15", "山口市"),
    ("道の駅 仁保の郷", "仁保", "quick", 1, "24時間", "山口市"),
    ("湯田温泉 観光駐車場", "湯田", "normal", 4, "24時間", "民間事業者"),
    ("新山口駅 南口駐車場", "小郡", "quick", 2, "24時間", "民間事業者"),
    ("阿知須総合支所", "阿知須", "normal", 1, "8:30-17:15", "山口市"),
    ("大内ショッピングセンター", "大内", "quick", 2, "9:00-22:00", "民間事業者"),
    ("カーディーラー 平川店", "平川", "both", 3, "9:30-18:00", "民間事業者"),
    ("コンビニエンスストア 大歳店", "大歳", "quick", 1, "24時間", "民間事業者"),
    ("秋穂二島 交流センター", "秋穂二島", "normal", 2, "9:00-21:00", "山口市"),
    ("防府市役所", "松崎", "both", 2, "8:30-17:15", "防府市"),
    ("道の駅 潮彩市場防府", "中関", "quick", 1, "24時間", "防府市"),
    ("防府ショッピングセンター", "勝間", "both", 4, "9:00-22:00", "民間事業者"),
    ("カーディーラー 防府店", "華城", "quick", 1, "9:30-18:00", "民間事業者"),
    ("富海 海水浴場駐車場", "富海", "normal", 2, "7:00-19:00", "防府市"),
    ("東岐波ふれあいセンター", "東岐波", "normal", 1, "9:00-21:00", "宇部市"),
)


def ev_chargers(spec: LayerSpec, world: World) -> gpd.GeoDataFrame:
    """EV charging points at public buildings, roadside stations, shops and car parks."""
    rng = layer_rng(4)
    rows, geoms = [], []
    for name, place_name, charger_type, connectors, hours, operator in _EV:
        place = place_named(place_name)
        pt = world.point_near(rng, place, 300.0)
        muni = MUNICIPALITY_BY_CODE[place.code]
        rows.append(
            {
                "name": name,
                "address": f"{PREFECTURE}{muni.name}{place.name}{int(rng.integers(1, 3000))}",
                "lg_code": place.code,
                "charger_type": charger_type,
                "connectors": connectors,
                "hours": hours,
                "phone": _phone(rng, place.code),
                "operator": operator,
                "url": muni.url if operator == muni.name else None,
            }
        )
        geoms.append(pt)
    return layer_frame(spec, rows, geoms)


_WIFI_EXTRA = (
    ("山口駅", "中央", "Yamaguchi_Free_Wi-Fi", "山口県", "24時間", "観光案内所周辺"),
    ("新山口駅 観光交流センター", "小郡", "Yamaguchi_Free_Wi-Fi", "山口県", "8:30-19:00", None),
    ("湯田温泉 足湯", "湯田", "Yamaguchi_Free_Wi-Fi", "山口県", "24時間", None),
    ("防府駅 てんじんぐち", "松崎", "Hofu_Free_Wi-Fi", "防府市", "24時間", None),
    (
        "防府市 観光案内所",
        "松崎",
        "Hofu_Free_Wi-Fi",
        "防府市",
        "9:00-18:00",
        "1回60分・回数制限なし",
    ),
)
_WIFI_SSID = {
    YAMAGUCHI: "Yamaguchi_City_Wi-Fi",
    HOFU: "Hofu_Free_Wi-Fi",
    UBE: "Ube_City_Wi-Fi",
}


def wifi_spots(spec: LayerSpec, world: World, shelter_frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Free Wi-Fi at stations and sights, and at community halls that are also shelters."""
    rng = layer_rng(5)
    rows, geoms = [], []
    for name, place_name, ssid, provider, hours, note in _WIFI_EXTRA:
        place = place_named(place_name)
        pt = world.point_near(rng, place, 250.0)
        muni = MUNICIPALITY_BY_CODE[place.code]
        rows.append(
            {
                "name": name,
                "address": f"{PREFECTURE}{muni.name}{place.name}{int(rng.integers(1, 3000))}",
                "lg_code": place.code,
                "ssid": ssid,
                "provider": provider,
                "hours": hours,
                "note": note,
                "url": None,
            }
        )
        geoms.append(pt)
    # Public Wi-Fi at community halls, which are also shelters (opened as 00000JAPAN in disasters).
    halls = shelter_frame[shelter_frame["name"].str.endswith(tuple(h for h, _ in _HALLS.values()))]
    picked = np.sort(rng.choice(len(halls), size=min(20, len(halls)), replace=False))
    for i in picked:
        hall = halls.iloc[int(i)]
        code = str(hall["lg_code"])
        rows.append(
            {
                "name": str(hall["name"]),
                "address": str(hall["address"]),
                "lg_code": code,
                "ssid": _WIFI_SSID[code],
                "provider": MUNICIPALITY_BY_CODE[code].name,
                "hours": "施設の開館時間",
                "note": "災害時は00000JAPANとして開放",
                "url": MUNICIPALITY_BY_CODE[code].url,
            }
        )
        geoms.append(hall.geometry)
    return layer_frame(spec, rows, geoms)
