"""`kasane serve` (gunicorn) on a free port against a test database, for browser tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running_server(database_url: str, **env: str) -> Iterator[str]:
    """Serve ``database_url`` (no basemap unless ``KASANE_BASEMAP_URL`` is given in ``env``)
    and yield the base URL; the server is stopped afterwards."""
    port = free_port()
    full_env = {
        **os.environ,
        "KASANE_DATABASE_URL": database_url,
        "KASANE_BASEMAP_URL": "",
        **env,
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "kasane", "serve", "--port", str(port), "--workers", "2"],
        cwd=ROOT,
        env=full_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1)
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                err = proc.stderr.read().decode() if proc.stderr else ""
                pytest.fail(f"kasane serve did not start: {err[-2000:]}")
            time.sleep(0.2)
    try:
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
