"""Keep a static edition current: export again whenever PostgreSQL says a layer version was
published (``kasane_layers``) or a shelter status changed (``kasane_shelter_status``).

One process does this (``kasane export static DIR --watch``, which ``kasane serve`` starts when
``KASANE_STATIC_EXPORT_DIR`` is set), whatever the number of web workers. Notifications that
arrive together are exported once; a layer that did not change is linked, not exported again
(:mod:`webmap.residents.static_edition.edition`), so a status change is in the edition within
a couple of seconds.
"""

from __future__ import annotations

import logging
import select
import threading
import time
from collections.abc import Callable
from pathlib import Path

import psycopg
from flask import Flask

from gis.layerstore.served_versions import STATUS_CHANNEL
from gis.layerstore.storage import NOTIFY_CHANNEL
from gis.platform.db import connection
from webmap.residents.static_edition.edition import Result, build

log = logging.getLogger(__name__)
SETTLE_S = 0.3  # wait this long after a notification for the ones sent with it
RETRY_S = 2.0


def export_once(app: Flask, url: str, target: Path) -> Result:
    """One export over a fresh connection."""
    with connection(url) as conn:
        return build(app, conn, target)


def watch(
    app: Flask,
    url: str,
    target: Path,
    *,
    stop: threading.Event | None = None,
    report: Callable[[Result], None] | None = None,
) -> None:
    """Export now, then again after every change, until ``stop`` is set (or forever)."""
    stop = stop or threading.Event()
    pending = True  # export at start: anything may have changed while nobody listened
    heard = threading.Event()
    while not stop.is_set():
        try:
            with psycopg.connect(url, autocommit=True, connect_timeout=5) as listen:
                listen.add_notify_handler(lambda _note: heard.set())
                listen.execute(f"LISTEN {NOTIFY_CHANNEL}")
                listen.execute(f"LISTEN {STATUS_CHANNEL}")
                while not stop.is_set():
                    if pending or heard.is_set():
                        if heard.is_set():
                            time.sleep(SETTLE_S)
                            listen.execute("SELECT 1")  # reads what came meanwhile
                        heard.clear()
                        pending = False
                        try:
                            result = export_once(app, url, target)
                        except Exception:  # the next change tries again; the edition stays
                            log.exception("static edition: export failed")
                        else:
                            if report is not None:
                                report(result)
                    readable, _, _ = select.select([listen.fileno()], [], [], 1.0)
                    if readable:
                        listen.execute("SELECT 1")  # runs the handler for what arrived
        except (psycopg.Error, OSError) as exc:
            log.warning("static edition: %s; retrying in %.0f s", exc, RETRY_S)
            pending = True
            stop.wait(RETRY_S)
