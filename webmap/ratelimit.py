"""Per-client rate limits on writes and heavy reads, shared by every worker and every host.

The buckets live in PostgreSQL on the primary (:mod:`gis.platform.rate_limits`), so a client
gets its limit once however many workers and hosts serve it. Clients are keyed by a keyed
digest of their address (the app's secret key, the same on every host of one site; the address
itself is never stored); behind a load balancer the address comes from ``X-Forwarded-For`` only
when the peer is listed in ``KASANE_TRUSTED_PROXIES`` (:mod:`webmap.client_address`). A bucket
is per limit too: changing a limit starts everyone's bucket afresh. Over the limit: 429
problem+json with ``Retry-After``. While the database cannot count, requests are let through
(writes then fail on their own with 503; a limit must not turn a short outage into a longer one).
"""

from __future__ import annotations

import hashlib
import logging
import math

from flask import Flask, Response, current_app, request

from gis.platform import rate_limits
from gis.platform.errors import DatabaseUnavailable
from gis.platform.settings import Settings
from webmap import db, errors, served_versions
from webmap.client_address import client_address, parse_proxies

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
HEAVY_ENDPOINTS = {
    "datasets.download",
    "planners_api.area_statistics",
    "transit_api.coverage_summary",
    "transit_api.blank_areas",
    "transit_api.evaluate_draft",
}
log = logging.getLogger("kasane.ratelimit")


def client_key() -> bytes:
    """A keyed digest of the client's address, the same on every worker and host of a site."""
    key = hashlib.sha256(f"rate-limit:{current_app.secret_key!s}".encode()).digest()
    return hashlib.blake2b(client_address().encode(), key=key, digest_size=16).digest()


def init_app(app: Flask) -> None:
    """Check writes and heavy endpoints before the view runs."""
    settings: Settings = app.extensions["kasane.settings"]
    limits = {"writes": settings.rate_limit_writes, "heavy": settings.rate_limit_heavy}
    parse_proxies(settings.trusted_proxies)  # a wrong setting stops the start, not a request

    @app.before_request
    def _limit() -> Response | None:
        if request.method in WRITE_METHODS:
            kind = "writes"
        elif request.endpoint in HEAVY_ENDPOINTS:
            kind = "heavy"
        else:
            return None
        per_minute = limits[kind]
        if per_minute == 0:
            return None
        listener = served_versions.running_tracker(current_app)
        if listener is not None and listener.recently_failed():
            return None  # the database was just found unreachable: do not wait for it twice
        try:
            with db.connection() as conn:
                wait = rate_limits.take(conn, f"{kind}:{per_minute}", client_key(), per_minute)
        except DatabaseUnavailable:
            log.warning("rate limit not counted: the database is not reachable")
            return None
        if wait == 0:
            return None
        response = errors.problem(
            429, "too many requests",
            f"more than {per_minute} {kind} requests a minute from this client;"
            " retry later", "too-many-requests",
        )  # fmt: skip
        response.headers["Retry-After"] = str(max(1, math.ceil(wait)))
        return response
