"""`kasane serve` (gunicorn) on a free port against a test database, for browser tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
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
def running_server(
    database_url: str, *, workers: int = 2, log: Path | None = None, **env: str
) -> Iterator[str]:
    """Serve ``database_url`` with ``workers`` gunicorn workers (no basemap unless
    ``KASANE_BASEMAP_URL`` is given in ``env``) and yield the base URL. The server's output
    goes to ``log`` (a temporary file if None) and is shown when it does not start. Leaving
    the block stops the server with SIGTERM and waits for its exit (usage counts written)."""
    port = free_port()
    from etl.demo import DEMO_TARGETS

    full_env = {
        "KASANE_DEADZONE_TARGETS": DEMO_TARGETS,
        **os.environ,
        "KASANE_DATABASE_URL": database_url,
        "KASANE_BASEMAP_URL": "",
        **env,
    }
    with open(log, "w+b") if log else tempfile.TemporaryFile() as sink:
        proc = subprocess.Popen(
            [sys.executable, "-m", "kasane", "serve", "--port", str(port), "--workers",
             str(workers)],
            cwd=ROOT, env=full_env, stdout=sink, stderr=subprocess.STDOUT,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    proc.kill()
                    proc.wait()
                    sink.seek(0)
                    output = sink.read().decode(errors="replace")
                    pytest.fail(f"kasane serve did not start: {output[-2000:]}")
                time.sleep(0.2)
        try:
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
