"""At least 60 ways residents write addresses, each finding the intended block or town.

The gazetteer holds real town names as the 位置参照情報 files write them (kanji 丁目, 大字, ケ,
新字体); the queries are written the ways the format's columns are typed in practice: widths,
numerals, 丁目/番/番地/号 or hyphens, ケ/ヶ/が, 大字/字 left out, prefecture and city left out,
spaces, 旧字体. No database: the same Gazetteer the server builds from the loaded layer.
"""

from __future__ import annotations

import pytest

from gis.search.gazetteer import AddressRow, Gazetteer
from gis.search.normalise import numbers, standard, town_name
from tests.search.gazetteer_rows import TOWNS


def rows() -> list[AddressRow]:
    out = []
    for pref, city, town, blocks, lon, lat, _code, tcode, _kind in TOWNS:
        out.append(AddressRow("town", pref, city, town, None, None, tcode, lon, lat))
        for i, block in enumerate(blocks):
            out.append(
                AddressRow("block", pref, city, town, block, None, None, lon + i * 1e-4, lat)
            )
    return out


GAZ = Gazetteer(rows())
T4 = "山口県下関市竹崎町四丁目"
U2 = "岡山県岡山市北区内山下二丁目"
KASUMI2 = "東京都千代田区霞が関二丁目"

# (what a resident types, the intended place as the gazetteer writes it, its precision)
SPELLINGS = [
    ("山口県下関市竹崎町四丁目1", f"{T4} 1", "block"),
    ("山口県下関市竹崎町4丁目1番", f"{T4} 1", "block"),
    ("下関市竹崎町4-1", f"{T4} 1", "block"),
    ("下関市竹崎町４－１", f"{T4} 1", "block"),
    ("下関市竹崎町4−1", f"{T4} 1", "block"),
    ("下関市竹崎町4ー1", f"{T4} 1", "block"),
    ("下関市竹崎町4‐1", f"{T4} 1", "block"),
    ("竹崎町4-1", f"{T4} 1", "block"),
    ("竹崎町四丁目１番", f"{T4} 1", "block"),
    ("竹崎町4丁目1番1号", f"{T4} 1", "block"),
    ("竹崎町4丁目1-1", f"{T4} 1", "block"),
    ("竹崎町4-1-1", f"{T4} 1", "block"),
    ("竹崎町 4丁目 1番 2号", f"{T4} 1", "block"),
    ("竹崎町　四丁目　一番", f"{T4} 1", "block"),
    ("下関市 竹崎町4-3", f"{T4} 3", "block"),
    ("山口県 下関市 竹崎町4丁目5番", f"{T4} 5", "block"),
    ("ＴＡＫＥ竹崎町4-2", None, None),  # noise before the name: nothing invented
    ("竹崎町4丁目", T4, "town"),
    ("竹崎町四丁目", T4, "town"),
    ("竹崎町４丁目", T4, "town"),
    ("下関市竹崎町4", T4, "town"),
    ("竹崎町4丁目99番", T4, "town"),  # no such block: the town, not a guess
    ("竹崎町1-2", "山口県下関市竹崎町一丁目 2", "block"),
    ("竹崎町二丁目3", "山口県下関市竹崎町二丁目 3", "block"),
    ("竹崎町3丁目2番地", "山口県下関市竹崎町三丁目 2", "block"),
    ("岡山市北区内山下2丁目", U2, "town"),
    ("岡山県岡山市北区内山下二丁目3", f"{U2} 3", "block"),
    ("岡山市北区内山下2-3", f"{U2} 3", "block"),
    ("岡山市内山下2-3", f"{U2} 3", "block"),  # ward left out
    ("北区内山下2-3", f"{U2} 3", "block"),  # city left out, ward kept
    ("内山下二丁目3番地", f"{U2} 3", "block"),
    ("内山下２丁目５", f"{U2} 5", "block"),
    ("岡山県内山下2-4", f"{U2} 4", "block"),  # prefecture without city
    ("内山下1-1", "岡山県岡山市北区内山下一丁目 1", "block"),
    ("霞が関2-1", f"{KASUMI2} 1", "block"),
    ("霞ヶ関2-1", f"{KASUMI2} 1", "block"),
    ("霞ケ関2丁目1番", f"{KASUMI2} 1", "block"),
    ("霞ガ関二丁目2", f"{KASUMI2} 2", "block"),
    ("千代田区霞が関1-3", "東京都千代田区霞が関一丁目 3", "block"),
    ("東京都千代田区霞が関二丁目", KASUMI2, "town"),
    ("龍ケ崎市馴馬町2500", "茨城県龍ケ崎市馴馬町 2500", "block"),
    ("龍ヶ崎市馴馬町2500番地", "茨城県龍ケ崎市馴馬町 2500", "block"),
    ("竜ケ崎市馴馬町2501", "茨城県龍ケ崎市馴馬町 2501", "block"),  # 龍/竜
    ("山口市大字宮野上100", "山口県山口市大字宮野上 100", "block"),
    ("山口市宮野上100", "山口県山口市大字宮野上 100", "block"),  # 大字 left out
    ("山口市字宮野上101番地", "山口県山口市大字宮野上 101", "block"),  # 字 for 大字
    ("宮野上100", "山口県山口市大字宮野上 100", "block"),
    ("宮野上甲102", "山口県山口市大字宮野上 甲102", "block"),
    ("山口市宮野上", "山口県山口市大字宮野上", "town"),
    ("大字宮野上", "山口県山口市大字宮野上", "town"),
    ("下関市大字吉見上1234", "山口県下関市大字吉見上 1234", "block"),
    ("下関市吉見上1235番地", "山口県下関市大字吉見上 1235", "block"),
    ("下関市吉見上千二百三十四", "山口県下関市大字吉見上 1234", "block"),
    ("周南市徳山5", "山口県周南市大字徳山 5", "block"),
    ("山口市中央2-3", "山口県山口市中央二丁目 3", "block"),
    ("山口市中央二丁目1番3号", "山口県山口市中央二丁目 1", "block"),
    ("湯田温泉3-4", "山口県山口市湯田温泉三丁目 4", "block"),
    ("湯田温泉三丁目", "山口県山口市湯田温泉三丁目", "town"),
    ("長門市仙﨑1000", "山口県長門市仙崎 1000", "block"),  # 﨑/崎
    ("仙崎1001", "山口県長門市仙崎 1001", "block"),
    ("岡山市中区澤田10", "岡山県岡山市中区沢田 10", "block"),  # 澤/沢
    ("沢田11", "岡山県岡山市中区沢田 11", "block"),
    ("彦島江の浦町1-2", "山口県下関市彦島江の浦町一丁目 2", "block"),
    ("彦島江ノ浦町1丁目2番", "山口県下関市彦島江の浦町一丁目 2", "block"),
    ("彦島江之浦町一丁目1", "山口県下関市彦島江の浦町一丁目 1", "block"),
    ("倉敷市鶴形1-2", "岡山県倉敷市鶴形一丁目 2", "block"),
    ("防府市中央町3", "山口県防府市中央町 3", "block"),  # 中央町 exists in 3 cities
    ("下関市中央町2", "山口県下関市中央町 2", "block"),
    ("下関市", "山口県下関市", "municipality"),
    ("山口県下関市", "山口県下関市", "municipality"),
    ("岡山市北区", "岡山県岡山市北区", "municipality"),
    ("下関市存在しない町", "山口県下関市", "municipality"),  # the part that fits
]


def test_the_table_has_at_least_60_spellings() -> None:
    assert len([s for s in SPELLINGS if s[1]]) >= 60


@pytest.mark.parametrize(("typed", "label", "precision"), SPELLINGS)
def test_spelling_finds_the_intended_place(typed: str, label: str | None, precision: str) -> None:
    hits = GAZ.lookup(typed)
    if label is None:
        assert not hits or hits[0].precision != "block"
        return
    assert hits, f"nothing for {typed!r}"
    assert (hits[0].label, hits[0].precision) == (label, precision)


def test_an_ambiguous_town_gives_every_alternative() -> None:
    hits = GAZ.lookup("中央町1")
    labels = {h.label for h in hits}
    assert labels == {"山口県下関市中央町 1", "山口県防府市中央町 1", "岡山県岡山市北区中央町 1"}
    assert len({h.score for h in hits}) == 1


def test_a_base_name_lists_its_chome() -> None:
    hits = GAZ.lookup("竹崎町")
    assert [h.label for h in hits] == [f"山口県下関市竹崎町{k}丁目" for k in "一二三四"]


def test_typing_a_prefix_suggests_towns() -> None:
    assert {h.label for h in GAZ.lookup("湯田")} == {"山口県山口市湯田温泉三丁目"}


def test_normal_forms() -> None:
    assert standard("竹崎町四丁目１－１") == "竹崎町4丁目1-1"
    assert standard("霞ヶ関") == standard("霞が関") == standard("霞ケ関")
    assert standard("しものせき") == standard("シモノセキ")
    assert town_name("竹崎町十二丁目").chome == 12
    assert town_name("大字宮野上").full == standard("宮野上")
    assert numbers(standard("4丁目1番地の2号")).values == ("4", "1", "2")
