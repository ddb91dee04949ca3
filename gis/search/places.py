"""Place names from the loaded layers (shelters, stops and stations, facilities, municipalities).

Every name (and its kana reading, where the layer has one: 名称_カナ is ``name_kana``) is kept
standardised in one long string, so finding what was typed anywhere in any name is one C-level
``str.find`` per occurrence rather than a Python loop over every place.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass

from gis.search.normalise import standard

SEP = "\x00"
MAX_OCCURRENCES = 400  # occurrences looked at per query; a one-letter query stops there
# match quality: exact, start, anywhere; a reading counts a little less than the name
QUALITY = {("name", 0): 95.0, ("name", 1): 75.0, ("name", 2): 55.0,
           ("kana", 0): 92.0, ("kana", 1): 72.0, ("kana", 2): 50.0}  # fmt: skip
# kinds a resident most often means come first among equal matches
KIND_BONUS = {"admin_boundary": 4.0, "shelter": 3.0, "transit": 2.0}


@dataclass(frozen=True)
class Place:
    """A named feature of a loaded layer."""

    layer: str
    kind: str
    fid: int
    name: str
    kana: str | None
    lon: float
    lat: float


@dataclass(frozen=True)
class PlaceHit:
    """A place and how well its name fits the query."""

    place: Place
    score: float
    matched: str  # "name" or "kana"


class _Blob:
    """Standardised strings joined by :data:`SEP`, with where each one starts."""

    def __init__(self, texts: list[str]) -> None:
        self.starts: list[int] = []
        parts, at = [], 0
        for text in texts:
            self.starts.append(at)
            parts.append(text)
            at += len(text) + 1
        self.text = SEP.join(parts) + SEP

    def find(self, needle: str) -> dict[int, int]:
        """Index of each string containing ``needle`` -> 0 equal, 1 starts with, 2 contains."""
        found: dict[int, int] = {}
        at, seen = self.text.find(needle), 0
        while at >= 0 and seen < MAX_OCCURRENCES:
            i = bisect.bisect_right(self.starts, at) - 1
            start = self.starts[i]
            end = self.text.index(SEP, start)
            how = 2 if at > start else (0 if at + len(needle) == end else 1)
            found[i] = min(how, found.get(i, 3))
            at, seen = self.text.find(needle, at + 1), seen + 1
        return found


class PlaceIndex:
    """Names and readings of every place, searched as typed."""

    def __init__(self, places: Iterable[Place]) -> None:
        self.places = [p for p in places if p.name]
        self._names = _Blob([standard(p.name) for p in self.places])
        self._kana = _Blob([standard(p.kana) if p.kana else "" for p in self.places])

    def __len__(self) -> int:
        return len(self.places)

    def lookup(self, query: str) -> list[PlaceHit]:
        """Places whose name or reading contains ``query`` (standardised), best first."""
        text = standard(query)
        if not text or SEP in text:
            return []
        best: dict[int, PlaceHit] = {}
        for matched, blob in (("name", self._names), ("kana", self._kana)):
            for i, how in blob.find(text).items():
                place = self.places[i]
                score = QUALITY[(matched, how)] + KIND_BONUS.get(place.kind, 0.0)
                if i not in best or best[i].score < score:
                    best[i] = PlaceHit(place, score, matched)
        return sorted(best.values(), key=lambda h: -h.score)
