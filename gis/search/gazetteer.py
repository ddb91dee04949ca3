"""Addresses answered from memory: the towns and blocks of the served ``addresses`` layer.

A query is read left to right, as residents write it: an optional prefecture, an optional
municipality (a designated city's ward may be left out: 「岡山市内山下」), an optional 大字/字, the
longest town name that fits, then numbers. A town with 丁目 is also found by its base name and
the 丁目 as the first number (「竹崎町4-1」「竹崎町4丁目1番」「竹崎町四丁目1」 are one block).
What does not fit a longer level is answered at the level that did (block, town,
municipality), and every town the words fit is given, so an ambiguous query comes back
with its alternatives.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from gis.search.normalise import block_key, numbers, standard, strip_prefix, town_name

WARD = re.compile(r"^(.+?市)(.+区)$")
MAX_KEY = 40  # characters: longer prefixes of a query are not looked up


@dataclass
class City:
    """A municipality (市区町村; a designated city's ward is one) of the gazetteer."""

    pref: str
    name: str
    lg_code: str | None = None
    points: list[tuple[float, float]] = field(default_factory=list)

    @property
    def point(self) -> tuple[float, float]:
        """The mean of its towns' points (the files give none for a municipality)."""
        xs, ys = zip(*self.points, strict=True) if self.points else ((0.0,), (0.0,))
        return (sum(xs) / len(xs), sum(ys) / len(ys))


@dataclass
class Town:
    """A 大字・町丁目 and the blocks (街区符号・地番) it has."""

    city: City
    name: str  # as the file writes it: 竹崎町四丁目
    code: str | None = None
    point: tuple[float, float] | None = None  # the town-level file's point
    blocks: dict[str, tuple[str, float, float]] = field(default_factory=dict)

    def where(self) -> tuple[float, float]:
        """The town's point: from the town-level file, else the mean of its blocks."""
        if self.point is not None:
            return self.point
        pts = [(x, y) for _, x, y in self.blocks.values()]
        return (sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts))


@dataclass(frozen=True)
class AddressRow:
    """One row of the served ``addresses`` layer (either level)."""

    level: str  # "block" or "town"
    pref: str
    city: str
    town: str
    block: str | None
    lg_code: str | None
    town_code: str | None
    lon: float
    lat: float


@dataclass(frozen=True)
class AddressHit:
    """One way the query fits the gazetteer."""

    precision: str  # "block", "town" or "municipality"
    score: float
    city: City
    town: Town | None = None
    block: str | None = None  # the block as the file writes it
    point: tuple[float, float] = (0.0, 0.0)

    @property
    def label(self) -> str:
        """The address written out: 山口県下関市竹崎町四丁目 1."""
        text = f"{self.city.pref}{self.city.name}"
        if self.town is not None:
            text += self.town.name
        if self.block is not None:
            text += f" {self.block}"
        return text


SCORES = {"block": 100.0, "town": 90.0, "municipality": 80.0}
PARTIAL = 60.0  # a town whose name only starts with what was typed (suggestions while typing)


class Gazetteer:
    """Every town and block of the served version, keyed for :meth:`lookup`."""

    def __init__(self, rows: Iterable[AddressRow]) -> None:
        self.cities: dict[tuple[str, str], City] = {}
        towns: dict[tuple[str, str, str], Town] = {}
        for row in rows:
            city = self.cities.get((row.pref, row.city))
            if city is None:
                city = self.cities[(row.pref, row.city)] = City(row.pref, row.city)
            if row.lg_code and not city.lg_code:
                city.lg_code = row.lg_code
            tkey = (row.pref, row.city, town_name(row.town).full)
            town = towns.get(tkey)
            if town is None:
                town = towns[tkey] = Town(city, row.town)
            if row.level == "town":
                town.point, town.code = (row.lon, row.lat), row.town_code
            elif row.block is not None:
                town.blocks.setdefault(block_key(row.block), (row.block, row.lon, row.lat))
        self.towns = list(towns.values())
        self.blocks = sum(len(t.blocks) for t in self.towns)
        self._index()

    def _index(self) -> None:
        self.prefs = sorted({standard(c.pref) for c in self.cities.values()}, key=len, reverse=True)
        self.city_keys: dict[str, list[City]] = defaultdict(list)
        for city in self.cities.values():
            name = standard(city.name)
            self.city_keys[name].append(city)
            ward = WARD.match(name)
            if ward:  # 岡山市北区 is also found as 岡山市 (ward left out) and as 北区
                self.city_keys[ward.group(1)].append(city)
                self.city_keys[ward.group(2)].append(city)
        # key -> (town, how): "full" name, "alias" (丁目 left out: 竹崎町4), "base" (竹崎町)
        self.town_keys: dict[str, list[tuple[Town, str]]] = defaultdict(list)
        for town in self.towns:
            if town.point is None and town.blocks:
                town.point = town.where()
            if town.point is not None:
                town.city.points.append(town.point)
            parts = town_name(town.name)
            self.town_keys[parts.full].append((town, "full"))
            if parts.chome is not None:
                self.town_keys[f"{parts.base}{parts.chome}"].append((town, "alias"))
                self.town_keys[parts.base].append((town, "base"))
        self.sorted_keys = sorted(k for k, v in self.town_keys.items() if v[0][1] != "alias")

    def __len__(self) -> int:
        return len(self.towns)

    def lookup(self, query: str, limit: int = 10) -> list[AddressHit]:
        """Every way ``query`` fits, best first (at most ``limit``)."""
        text = standard(query)
        pref = next((p for p in self.prefs if text.startswith(p)), None)
        if pref is not None:
            text = text[len(pref) :]
        cities = self._cities(text, pref)
        if cities is not None:
            text = text[cities[0] :]
        allowed = None if cities is None else cities[1]
        if pref is not None and allowed is None:
            allowed = [c for c in self.cities.values() if standard(c.pref) == pref]
        text = strip_prefix(text)
        hits = self._towns(text, allowed) if text else []
        if not hits and allowed is not None and (cities is not None or not text):
            score = SCORES["municipality"] - (10.0 if text else 0.0)
            hits = [AddressHit("municipality", score, c, point=c.point) for c in allowed]
        hits.sort(key=lambda h: -h.score)
        return hits[:limit]

    def _cities(self, text: str, pref: str | None) -> tuple[int, list[City]] | None:
        """The longest municipality name at the start of ``text`` (its length, its cities)."""
        for end in range(min(len(text), MAX_KEY), 0, -1):
            found = self.city_keys.get(text[:end])
            if found:
                fit = [c for c in found if pref is None or standard(c.pref) == pref]
                if fit:
                    return end, fit
        return None

    def _towns(self, text: str, allowed: list[City] | None) -> list[AddressHit]:
        ok = None if allowed is None else {id(c) for c in allowed}
        for end in range(min(len(text), MAX_KEY), 0, -1):
            rest = text[end:]
            entries = [
                (town, how)
                for town, how in self.town_keys.get(text[:end], ())
                if (ok is None or id(town.city) in ok)
                and (how != "alias" or not rest or rest[0] in "-番")
            ]
            if entries:
                return self._fit(entries, rest)
        return self._partial(text, ok)

    def _fit(self, entries: list[tuple[Town, str]], rest: str) -> list[AddressHit]:
        """Hits for the towns the words named, with the numbers that follow."""
        read = numbers(rest)
        values = list(read.values)
        hits: list[AddressHit] = []
        for town, how in entries:
            nums = values
            if how == "base":
                chome = town_name(town.name).chome
                if not nums:
                    hits.append(self._town_hit(town, SCORES["town"] - 5.0))
                    continue
                if str(chome) != nums[0]:
                    continue
                nums = nums[1:]
            hits.append(self._block_hit(town, nums, bool(read.rest)))
        return hits

    def _town_hit(self, town: Town, score: float) -> AddressHit:
        return AddressHit("town", score, town.city, town, point=town.where())

    def _block_hit(self, town: Town, nums: list[str], trailing: bool) -> AddressHit:
        if nums and nums[0] in town.blocks:
            shown, lon, lat = town.blocks[nums[0]]
            return AddressHit("block", SCORES["block"], town.city, town, shown, (lon, lat))
        wanted_block = bool(nums) or trailing
        return self._town_hit(town, SCORES["town"] - (5.0 if wanted_block else 0.0))

    def _partial(self, text: str, ok: set[int] | None) -> list[AddressHit]:
        """Towns whose name starts with ``text`` (what is typed so far)."""
        hits: list[AddressHit] = []
        start = bisect.bisect_left(self.sorted_keys, text)
        for key in self.sorted_keys[start : start + 50]:
            if not key.startswith(text):
                break
            for town, how in self.town_keys[key]:
                if how == "full" and (ok is None or id(town.city) in ok):
                    hits.append(self._town_hit(town, PARTIAL))
        return hits
