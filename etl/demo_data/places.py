"""The demo area: constants, its three municipalities, named places and hills.

The geography is plausible rather than true (see the package docstring); municipal codes are the
real ones, with their check digits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

SEED = 20240401  # every layer draws from its own stream of this seed
CRS = "EPSG:4326"  # every demo frame is in lon/lat
PREFECTURE = "山口県"
YAMAGUCHI, HOFU, UBE = "352039", "352063", "352021"

# Metres per degree near 34.1° N (equirectangular; good enough for shapes of a few km).
M_LAT = 110_950.0
M_LON = 111_320.0 * math.cos(math.radians(34.1))


@dataclass(frozen=True)
class Municipality:
    """A municipality of the demo area."""

    code: str
    name: str
    kana: str
    seed_point: tuple[float, float]  # a point well inside it (lon, lat)
    area_code: str  # telephone area code
    url: str


MUNICIPALITIES = (
    Municipality(
        YAMAGUCHI,
        "山口市",
        "ヤマグチシ",
        (131.47, 34.18),
        "083",
        "https://www.city.yamaguchi.lg.jp/",
    ),
    Municipality(
        HOFU, "防府市", "ホウフシ", (131.57, 34.06), "0835", "https://www.city.hofu.yamaguchi.jp/"
    ),
    Municipality(
        UBE, "宇部市", "ウベシ", (131.34, 34.05), "0836", "https://www.city.ube.yamaguchi.jp/"
    ),
)
MUNICIPALITY_BY_CODE = {m.code: m for m in MUNICIPALITIES}


@dataclass(frozen=True)
class Place:
    """A named place (大字・地区) with an approximate position."""

    name: str
    kana: str
    romaji: str
    lon: float
    lat: float
    code: str
    hill: bool = False


PLACES = (
    Place("中央", "チュウオウ", "Chuo", 131.474, 34.182, YAMAGUCHI),
    Place("大殿", "オオドノ", "Ohdono", 131.480, 34.192, YAMAGUCHI),
    Place("湯田", "ユダ", "Yuda", 131.457, 34.160, YAMAGUCHI),
    Place("宮野", "ミヤノ", "Miyano", 131.505, 34.196, YAMAGUCHI),
    Place("大内", "オオウチ", "Ouchi", 131.507, 34.168, YAMAGUCHI),
    Place("吉敷", "ヨシキ", "Yoshiki", 131.432, 34.172, YAMAGUCHI),
    Place("平川", "ヒラカワ", "Hirakawa", 131.445, 34.145, YAMAGUCHI),
    Place("大歳", "オオトシ", "Ootoshi", 131.455, 34.125, YAMAGUCHI),
    Place("吉田", "ヨシダ", "Yoshida", 131.455, 34.190, YAMAGUCHI),
    Place("仁保", "ニホ", "Niho", 131.565, 34.212, YAMAGUCHI),
    Place("小鯖", "オサバ", "Osaba", 131.540, 34.165, YAMAGUCHI),
    Place("陶", "スエ", "Sue", 131.435, 34.090, YAMAGUCHI),
    Place("鋳銭司", "スゼンジ", "Suzenji", 131.478, 34.085, YAMAGUCHI),
    Place("名田島", "ナタジマ", "Natajima", 131.447, 34.058, YAMAGUCHI),
    Place("秋穂二島", "アイオフタジマ", "Aiofutajima", 131.425, 34.048, YAMAGUCHI),
    Place("小郡", "オゴオリ", "Ogori", 131.398, 34.095, YAMAGUCHI),
    Place("嘉川", "カガワ", "Kagawa", 131.405, 34.070, YAMAGUCHI),
    Place("佐山", "サヤマ", "Sayama", 131.392, 34.042, YAMAGUCHI),
    Place("阿知須", "アジス", "Ajisu", 131.382, 34.020, YAMAGUCHI),
    Place("宮野上", "ミヤノカミ", "Miyanokami", 131.525, 34.215, YAMAGUCHI, hill=True),
    Place("上宇野令", "カミウノレ", "Kamiunore", 131.485, 34.207, YAMAGUCHI, hill=True),
    Place("吉敷佐畑", "ヨシキサバタ", "Yoshikisabata", 131.425, 34.198, YAMAGUCHI, hill=True),
    Place("仁保上郷", "ニホカミゴウ", "Nihokamigo", 131.605, 34.235, YAMAGUCHI, hill=True),
    Place("大内御堀", "オオウチミホリ", "Ouchimihori", 131.518, 34.186, YAMAGUCHI, hill=True),
    Place("徳地", "トクヂ", "Tokuji", 131.560, 34.245, YAMAGUCHI, hill=True),
    Place("仁保下郷", "ニホシモゴウ", "Nihoshimogo", 131.640, 34.200, YAMAGUCHI, hill=True),
    Place("松崎", "マツザキ", "Matsuzaki", 131.566, 34.062, HOFU),
    Place("佐波", "サバ", "Saba", 131.570, 34.046, HOFU),
    Place("華城", "ケシロ", "Keshiro", 131.553, 34.075, HOFU),
    Place("牟礼", "ムレ", "Mure", 131.600, 34.062, HOFU),
    Place("右田", "ミギタ", "Migita", 131.550, 34.095, HOFU),
    Place("勝間", "カツマ", "Katsuma", 131.585, 34.052, HOFU),
    Place("新田", "シンデン", "Shinden", 131.560, 34.030, HOFU),
    Place("西浦", "ニシノウラ", "Nishinoura", 131.532, 34.032, HOFU),
    Place("中関", "ナカノセキ", "Nakanoseki", 131.595, 34.025, HOFU),
    Place("華浦", "ケイホ", "Keiho", 131.578, 34.036, HOFU),
    Place("玉祖", "タマノオヤ", "Tamanooya", 131.610, 34.085, HOFU),
    Place("富海", "トノミ", "Tonomi", 131.645, 34.045, HOFU),
    Place("大道", "ダイドウ", "Daido", 131.527, 34.058, HOFU),
    Place("高井", "タカイ", "Takai", 131.562, 34.110, HOFU),
    Place("真尾", "マオ", "Mao", 131.578, 34.106, HOFU, hill=True),
    Place("奈美", "ナミ", "Nami", 131.598, 34.122, HOFU, hill=True),
    Place("久兼", "ヒサカネ", "Hisakane", 131.625, 34.112, HOFU, hill=True),
    Place("東岐波", "ヒガシキワ", "Higashikiwa", 131.345, 34.008, UBE),
    Place("岐波", "キワ", "Kiwa", 131.338, 34.040, UBE),
    Place("丸尾", "マルオ", "Maruo", 131.332, 34.020, UBE),
    Place("小野", "オノ", "Ono", 131.340, 34.092, UBE, hill=True),
)

# (lon, lat, height m, sigma lon °, sigma lat °): hills added to the northern mountains.
HILLS = (
    (131.605, 34.115, 320.0, 0.025, 0.018),  # Hofu northern hills (右田ヶ岳, 大平山)
    (131.500, 34.110, 240.0, 0.025, 0.015),  # ridge between the Yamaguchi basin and Hofu
    (131.385, 34.150, 260.0, 0.020, 0.030),  # hills west of 吉敷 / 小郡
    (131.335, 34.080, 160.0, 0.015, 0.020),  # 宇部 小野
    (131.645, 34.085, 240.0, 0.020, 0.020),  # 富海 hills
)


def place_named(name: str) -> Place:
    """The demo place called ``name`` (StopIteration when there is none)."""
    return next(p for p in PLACES if p.name == name)
