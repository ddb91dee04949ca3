"""Per-client rate limits on writes and heavy endpoints: a token bucket per client, in memory.

Each worker process keeps its own buckets (so with N workers a client may get up to N times the
limit; good enough against accidents and simple floods, not a distributed quota). Clients are
keyed by a keyed hash of their address (a random key per process, never stored), so no raw IP
address is kept. Over the limit: 429 problem+json with ``Retry-After``.
"""

from __future__ import annotations

import hashlib
import math
import secrets
import threading
import time
from dataclasses import dataclass, field

from flask import Flask, Response, request

from gis.platform.settings import Settings
from webmap import errors

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
HEAVY_ENDPOINTS = {
    "datasets.download",
    "planners_api.area_statistics",
    "transit_api.coverage_summary",
    "transit_api.blank_areas",
    "transit_api.evaluate_draft",
}
MAX_CLIENTS = 50_000


@dataclass
class Buckets:
    """Token buckets of one kind (``per_minute`` requests, refilled continuously)."""

    per_minute: int
    tokens: dict[bytes, tuple[float, float]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, client: bytes, now: float) -> float:
        """Spend one token; returns 0 when allowed, else the seconds until one is free."""
        rate = self.per_minute / 60.0
        with self.lock:
            if len(self.tokens) > MAX_CLIENTS:
                self.tokens.clear()
            level, then = self.tokens.get(client, (float(self.per_minute), now))
            level = min(float(self.per_minute), level + (now - then) * rate)
            if level < 1:
                self.tokens[client] = (level, now)
                return (1 - level) / rate
            self.tokens[client] = (level - 1, now)
            return 0.0


def client_key(salt: bytes) -> bytes:
    """A keyed digest of the client's address (the address itself is never kept)."""
    address = (request.remote_addr or "unknown").encode()
    return hashlib.blake2b(address, key=salt, digest_size=16).digest()


def init_app(app: Flask) -> None:
    """Check writes and heavy endpoints before the view runs."""
    settings: Settings = app.extensions["kasane.settings"]
    kinds = {
        "writes": Buckets(settings.rate_limit_writes),
        "heavy": Buckets(settings.rate_limit_heavy),
    }
    salt = secrets.token_bytes(32)

    @app.before_request
    def _limit() -> Response | None:
        if request.method in WRITE_METHODS:
            kind = "writes"
        elif request.endpoint in HEAVY_ENDPOINTS:
            kind = "heavy"
        else:
            return None
        buckets = kinds[kind]
        if buckets.per_minute == 0:
            return None
        wait = buckets.take(client_key(salt), time.monotonic())
        if wait == 0:
            return None
        response = errors.problem(
            429, "too many requests",
            f"more than {buckets.per_minute} {kind} requests a minute from this client;"
            " retry later", "too-many-requests",
        )  # fmt: skip
        response.headers["Retry-After"] = str(max(1, math.ceil(wait)))
        return response
