"""Prometheus metrics (``/metrics``) and an access log that stores no raw client address.

Under gunicorn, ``kasane serve`` sets ``PROMETHEUS_MULTIPROC_DIR`` before the workers fork, so
``/metrics`` adds up every worker. Metrics: requests by route, layer and status; a latency
histogram by route; response-cache hits and misses (hit ratio = hits / (hits + misses)).
"""

from __future__ import annotations

import functools
import hashlib
import logging
import math
import os
import secrets
import time
from collections.abc import Iterable
from typing import Any

from flask import Flask, Response, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from webmap.client_address import client_address

REQUESTS = Counter("kasane_requests_total", "HTTP requests", ["route", "layer", "status"])
LATENCY = Histogram(
    "kasane_request_seconds",
    "Request latency",
    ["route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
CACHE_HITS = Counter("kasane_cache_hits_total", "Response cache hits")
CACHE_MISSES = Counter("kasane_cache_misses_total", "Response cache misses")
POINT_ANSWERS = Counter(
    "kasane_point_answers_total",
    "Residents' point questions (hazards-at, nearest) by where the answer came from",
    ["source"],
)
access_log = logging.getLogger("kasane.access")
_SALT = secrets.token_bytes(16)  # per process: client tags cannot be joined across restarts


def cache_event(hit: bool) -> None:
    """Count one response-cache lookup."""
    (CACHE_HITS if hit else CACHE_MISSES).inc()


def point_answer(from_memory: bool) -> None:
    """Count a hazards-at or nearest answer as given from memory or by PostGIS."""
    POINT_ANSWERS.labels("memory" if from_memory else "database").inc()


def client_tag(address: str | None) -> str:
    """A short salted hash standing in for the client address in logs."""
    return hashlib.blake2b((address or "").encode(), key=_SALT, digest_size=4).hexdigest()


@functools.lru_cache(maxsize=4096)
def _series(route: str, layer: str, status: int) -> tuple[Any, Any]:
    """The request counter and latency histogram of one label set (looked up once)."""
    return REQUESTS.labels(route, layer, str(status)), LATENCY.labels(route)


def observe(
    route: str, layer: str, status: int, elapsed: float, where: tuple[str, str, str | None]
) -> None:
    """Count and log one answered request; ``where`` is (method, path, client address)."""
    counted, timed = _series(route, layer, status)
    counted.inc()
    timed.observe(elapsed)
    method, path, address = where
    if access_log.isEnabledFor(logging.INFO):
        access_log.info(
            "%s %s %s %.1fms client=%s",
            method, path, status, elapsed * 1000, client_tag(address),
        )  # fmt: skip


def init_app(app: Flask) -> None:
    """Time every request, count it, log it, and serve ``/metrics``."""

    @app.before_request
    def _start() -> None:
        g.kasane_t0 = time.perf_counter()

    @app.after_request
    def _record(response: Response) -> Response:
        started = g.get("kasane_t0")
        if started is None or request.path == "/metrics":
            return response
        route = request.url_rule.rule if request.url_rule else "unmatched"
        args = request.view_args or {}
        layer = str(args.get("layer_id") or args.get("names") or "")
        where = (request.method, request.full_path.rstrip("?"), client_address())
        observe(route, layer, response.status_code, time.perf_counter() - started, where)
        return response

    @app.get("/metrics")
    def metrics() -> Response:
        """Prometheus text exposition (all workers under gunicorn)."""
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
            body = generate_latest(registry)
        else:
            body = generate_latest()
        return Response(body + replica_metrics(app), mimetype=CONTENT_TYPE_LATEST)


def replica_metrics(app: Flask) -> bytes:
    """Each read replica as this worker last found it: up, usable for reads now, seconds
    behind and replay paused (empty without replicas)."""
    from webmap import db

    found = db.replicas_of(app)
    if found is None:
        return b""
    watcher = found[0]
    now = time.monotonic()
    families = {
        "up": GaugeMetricFamily("kasane_replica_up", "Replica answers", labels=["replica"]),
        "usable": GaugeMetricFamily(
            "kasane_replica_usable", "Replica up, standby and within the lag limit",
            labels=["replica"],
        ),
        "lag": GaugeMetricFamily(
            "kasane_replica_lag_seconds", "Replica replay lag (NaN when unknown)",
            labels=["replica"],
        ),
        "paused": GaugeMetricFamily(
            "kasane_replica_replay_paused", "Replica replay paused", labels=["replica"]
        ),
    }  # fmt: skip
    for state in watcher.states:
        usable = state.usable(0, watcher.max_lag_s, now)
        families["up"].add_metric([state.name], 1.0 if state.up else 0.0)
        families["usable"].add_metric([state.name], 1.0 if usable else 0.0)
        families["lag"].add_metric([state.name], math.nan if state.lag_s is None else state.lag_s)
        families["paused"].add_metric([state.name], 1.0 if state.paused else 0.0)
    registry = CollectorRegistry()
    registry.register(_Fixed(list(families.values())))
    return generate_latest(registry)


class _Fixed(Collector):
    """Metric families computed at scrape time."""

    def __init__(self, families: list[GaugeMetricFamily]) -> None:
        self._families = families

    def collect(self) -> Iterable[Metric]:
        """The families given."""
        return self._families
