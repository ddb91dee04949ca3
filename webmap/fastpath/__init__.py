"""Answers given before Flask runs: the four WSGI layers of the disaster-day fast path.

A request passes them outermost first, and each hands on what it cannot answer exactly as Flask
would (same status, headers and body):

1. :mod:`webmap.fastpath.remembered_answers` — a residents' point question asked before, with
   the same query string and the same layer and status epochs, answered from a byte-bounded LRU;
2. :mod:`webmap.fastpath.point_questions` — a new residents' point question answered from the
   in-memory hazard and shelter indexes (:mod:`webmap.residents.point_lookup`);
3. :mod:`webmap.fastpath.search_answers` — an address or place-name search, answered from the
   in-memory search index (:mod:`webmap.search`);
4. :mod:`webmap.fastpath.cached_tiles` — a vector tile whose body is already in the response
   cache.

Everything else, and every error, is Flask's. :data:`OWNED_PATHS` lists what they may answer.
"""

from __future__ import annotations

from flask import Flask

from gis.platform.settings import Settings

OWNED_PATHS = (
    "/api/hazards/at",
    "/api/shelters/nearest",
    "/api/search",
    "/tiles/{layers}/{z}/{x}/{y}.mvt",
    "/collections/{collectionId}/tiles/WebMercatorQuad/{z}/{x}/{y}",
)


def install(app: Flask, settings: Settings) -> None:
    """Wrap ``app.wsgi_app`` in the fast path, innermost first (the order documented above).

    Call it after every blueprint is registered and the residents' memory is set up.
    """
    from webmap.fastpath import cached_tiles, point_questions, remembered_answers, search_answers

    app.wsgi_app = cached_tiles.FastTiles(app, app.wsgi_app)  # type: ignore[method-assign]
    point_questions.init_app(app)
    search_answers.init_app(app)
    remembered_answers.init_app(app, settings.cache_mb)
