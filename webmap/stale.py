"""Degrade, don't fail: what Kasane still answers while PostgreSQL cannot be reached.

Tiles already in this process's response cache are served *stale* (RFC 5861 stale-if-error)
under the layer versions last known current, and pages that need no query render with a notice
("live data unavailable, showing data as of …"). Such answers say so with ``Age`` (seconds since
the versions were last known current: an upper bound on how out of date they may be) and
``Cache-Status`` (RFC 9211), and ``Cache-Control: no-cache`` so no cache keeps them as fresh.
Anything else still answers 503 with Retry-After.
"""

from __future__ import annotations

import time
from collections.abc import Hashable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date
from flask import Response

from gis.platform.era import era_date
from gis.platform.errors import DatabaseUnavailable
from gis.platform.languages import BY_TAG, Msg
from webmap.responses import cache, not_modified

CACHE_STATUS = 'Kasane; hit; detail="stale: database unavailable"'
JST = ZoneInfo("Asia/Tokyo")  # pages say the time as residents read it
PAGE_CACHE_STATUS = 'Kasane; detail="stale: database unavailable"'


def mark(response: Response, as_of: float, *, hit: bool = True) -> Response:
    """Mark ``response`` as stale data, last known current at ``as_of`` (Unix time)."""
    response.headers["Age"] = str(max(0, int(time.time() - as_of)))
    response.headers["Cache-Status"] = CACHE_STATUS if hit else PAGE_CACHE_STATUS
    response.headers["Cache-Control"] = "no-cache"
    return response


def iso(as_of: float) -> str:
    """``as_of`` as an ISO 8601 UTC time (pages show it in the reader's own time zone)."""
    return datetime.fromtimestamp(as_of, UTC).isoformat(timespec="seconds")


JAPAN_TIME = Msg("日本時間", "Japan time")


def as_of_text(as_of: float, lang: str) -> str:
    """``as_of`` as residents read it: Japan time, to the minute."""
    when = datetime.fromtimestamp(as_of, JST)
    if lang in ("ja", "ja-x-easy"):
        return f"{era_date(when.date())} {when:%H:%M}"
    locale = BY_TAG[lang].babel if lang in BY_TAG else "en"
    day = format_date(when.date(), format="medium", locale=locale)
    return f"{day} {when:%H:%M} ({JAPAN_TIME[lang]})"


def cached_only(key: Hashable, etag: str, mimetype: str, as_of: float) -> Response:
    """The cached body under ``key`` marked stale (uncompressed: a rare path); 503 on a miss."""
    early = not_modified(etag)
    if early is not None:
        return mark(early, as_of)
    body = cache().get(key)
    if body is None:
        raise DatabaseUnavailable("the database is not reachable right now")
    response = Response(body, mimetype=mimetype) if body else Response(status=204)
    response.headers["ETag"] = etag
    response.headers["Vary"] = "Accept-Encoding"
    return mark(response, as_of)
