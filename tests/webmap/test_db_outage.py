"""Database down → 503 problem+json with Retry-After; back up → served again, no restart.

The app reaches the real test database through a small TCP relay that the test cuts and
restores (the shared cluster itself is never stopped)."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from urllib.parse import urlsplit, urlunsplit

from webmap import close, create_app


class Relay:
    """Forwards 127.0.0.1:<port> to the database; ``cut()`` drops every connection."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.up = True
        self.sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            if not self.up:
                client.close()
                continue
            upstream = socket.create_connection(self.target)
            self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                # shutdown first: close() alone sends no FIN while the other pipe's thread is
                # still blocked in recv() on the same socket, and the database would wait on
                # that half-dead connection for ever (seen with cut() racing this thread)
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                with contextlib.suppress(OSError):
                    s.close()

    def cut(self) -> None:
        self.up = False
        for s in self.sockets:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
        self.sockets.clear()

    def restore(self) -> None:
        self.up = True


def test_outage_gives_503_then_recovers(settings, demo_loaded) -> None:
    parts = urlsplit(settings.database_url)
    relay = Relay(parts.hostname or "127.0.0.1", parts.port or 5432)
    netloc = parts.netloc.rsplit(":", 1)[0] + f":{relay.port}"
    url = urlunsplit(parts._replace(netloc=netloc))
    app = create_app(settings.model_copy(update={"database_url": url, "cache_mb": 0}))
    try:
        client = app.test_client()
        assert client.get("/collections/shelters/items?limit=1").status_code == 200

        relay.cut()
        statuses = [client.get("/collections/shelters/items?limit=1") for _ in range(3)]
        down = statuses[-1]
        assert down.status_code == 503
        assert down.mimetype == "application/problem+json"
        assert int(down.headers["Retry-After"]) > 0
        assert json.loads(down.data)["status"] == 503
        assert client.get("/readyz").status_code == 503
        assert client.get("/healthz").status_code == 200

        relay.restore()
        deadline = time.monotonic() + 20
        while client.get("/collections/shelters/items?limit=1").status_code != 200:
            assert time.monotonic() < deadline, "did not recover"
            time.sleep(0.3)
        assert client.get("/readyz").status_code == 200
    finally:
        close(app)
