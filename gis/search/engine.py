"""One answer to a search: addresses and place names ranked together, as GeoJSON.

Addresses and names are scored on one scale (see :data:`gis.search.gazetteer.SCORES` and
:data:`gis.search.places.QUALITY`): a block found is 100, an exact name 95, a town 90, a
municipality 80, a name that starts with the query 75, a town that starts with it 60, a name
containing it 55. Among equal scores the one nearest ``near`` (when given) comes first. The
answer is *ambiguous* when more than one result shares the best score.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from gis.platform.errors import BadRequest
from gis.platform.languages import Msg, normalise
from gis.search.gazetteer import AddressHit, Gazetteer
from gis.search.normalise import standard
from gis.search.places import PlaceHit, PlaceIndex

DEFAULT_LIMIT, MAX_LIMIT, MAX_QUERY = 10, 50, 200
ADDRESS_LAYER = "addresses"
PRECISION = {
    "block": Msg("街区・地番", "block"),
    "town": Msg("町・大字", "town"),
    "municipality": Msg("市区町村", "municipality"),
    "place": Msg("施設・地名", "place"),
}


@dataclass(frozen=True)
class Query:
    """A checked search request."""

    q: str
    limit: int = DEFAULT_LIMIT
    near: tuple[float, float] | None = None
    lang: str = "ja"

    @classmethod
    def parse(cls, q: str | None, limit: str | None, near: str | None, lang: str) -> Query:
        """The request's parameters, or :class:`BadRequest` saying which one is wrong and why."""
        text = (q or "").strip()
        if not text:
            raise BadRequest("q is required: an address or a place name, e.g. q=竹崎町4-1")
        if len(text) > MAX_QUERY:
            raise BadRequest(f"q is too long ({len(text)} characters; at most {MAX_QUERY})")
        count = DEFAULT_LIMIT
        if limit not in (None, ""):
            if not limit.isdigit() or not 1 <= int(limit) <= MAX_LIMIT:
                raise BadRequest(f"limit must be a whole number from 1 to {MAX_LIMIT}")
            count = int(limit)
        return cls(text, count, _near(near), normalise(lang) or "ja")


def _near(text: str | None) -> tuple[float, float] | None:
    if text in (None, ""):
        return None
    try:
        lon, lat = (float(v) for v in text.split(","))
    except ValueError:
        raise BadRequest(
            "near must be lon,lat in decimal degrees, e.g. near=131.47,34.18"
        ) from None
    if not (-180 <= lon <= 180 and -90 <= lat <= 90) or math.isnan(lon + lat):
        raise BadRequest("near must be lon,lat within -180..180, -90..90")
    return lon, lat


def _metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Equirectangular distance: exact enough to order results."""
    x = math.radians(b[0] - a[0]) * math.cos(math.radians((a[1] + b[1]) / 2))
    return 6_371_000.0 * math.hypot(x, math.radians(b[1] - a[1]))


class SearchIndex:
    """The gazetteer and the place names of one set of served versions."""

    def __init__(self, gazetteer: Gazetteer, places: PlaceIndex, titles: dict[str, Any]) -> None:
        self.gazetteer, self.places, self.titles = gazetteer, places, titles

    def _address(self, hit: AddressHit, lang: str) -> dict[str, Any]:
        props = {
            "label": hit.label,
            "kind": "address",
            "precision": hit.precision,
            "precision_label": PRECISION[hit.precision][lang],
            "layer": ADDRESS_LAYER,
            "layer_title": self._title(ADDRESS_LAYER, lang),
            "prefecture": hit.city.pref,
            "municipality": hit.city.name,
            "town": hit.town.name if hit.town else None,
            "block": hit.block,
            "score": hit.score,
        }
        return _feature(hit.point, props)

    def _place(self, hit: PlaceHit, lang: str) -> dict[str, Any]:
        p = hit.place
        props = {
            "label": p.name,
            "kind": "place",
            "precision": "place",
            "precision_label": PRECISION["place"][lang],
            "layer": p.layer,
            "layer_title": self._title(p.layer, lang),
            "reading": p.kana,
            "matched": hit.matched,
            "fid": p.fid,
            "score": hit.score,
        }
        return _feature((p.lon, p.lat), props)

    def _title(self, layer: str, lang: str) -> str:
        title = self.titles.get(layer)
        if not title:
            return layer
        return str(title.get(lang)) if hasattr(title, "get") else layer

    def search(self, query: Query) -> dict[str, Any]:
        """The ranked answer to ``query`` as a GeoJSON FeatureCollection with a ``best`` member."""
        found = [self._address(h, query.lang) for h in self.gazetteer.lookup(query.q, 50)]
        found += [self._place(h, query.lang) for h in self.places.lookup(query.q)[:50]]
        if query.near is not None:
            for f in found:
                f["properties"]["distance_m"] = round(
                    _metres(query.near, tuple(f["geometry"]["coordinates"]))
                )
        found.sort(key=lambda f: (-f["properties"]["score"], f["properties"].get("distance_m", 0)))
        seen: set[tuple[str, str]] = set()
        unique = []
        for f in found:
            key = (f["properties"]["label"], f["properties"]["layer"])
            if key not in seen:
                seen.add(key)
                unique.append(f)
        features = unique[: query.limit]
        top = [
            f for f in features if f["properties"]["score"] == features[0]["properties"]["score"]
        ]
        return {
            "type": "FeatureCollection",
            "query": query.q,
            "normalised": standard(query.q),
            "best": features[0] if features else None,
            "ambiguous": len(top) > 1,
            "numberReturned": len(features),
            "features": features,
        }


def _feature(point: tuple[float, float], props: dict[str, Any]) -> dict[str, Any]:
    lon, lat = round(point[0], 7), round(point[1], 7)
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": props}  # fmt: skip
