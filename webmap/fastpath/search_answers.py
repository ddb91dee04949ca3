"""``GET /api/search`` answered before Flask, as :mod:`webmap.residents.fast` does for points.

The answer itself is a few dictionary look-ups in memory (well under a millisecond); Flask's
request machinery costs several times that. This middleware answers an anonymous search with
the same index and function as the view (:func:`webmap.search.index`), with the headers Flask
gave the path's last plain 200 answer, and counts it in :mod:`webmap.metrics`. The language is
the one Flask would pick (``?lang=``, else the language cookie; ``Accept-Language`` alone goes
to Flask); no cookie is set here.
Everything else goes to Flask: the first search of a process, requests with credentials, NUL
characters, and every error (Flask writes the problem+json).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qsl

from flask import Flask

from gis.platform.errors import KasaneError
from gis.platform.languages import normalise
from gis.search.engine import Query
from webmap import metrics, search
from webmap.auth import carries_credentials
from webmap.i18n import COOKIE

StartResponse = Callable[..., Any]
PATH = "/api/search"


def _lang(args: dict[str, str], environ: dict[str, Any]) -> str:
    asked = args.get("lang")
    if not asked and environ.get("HTTP_COOKIE"):
        jar: SimpleCookie = SimpleCookie()
        try:
            jar.load(environ["HTTP_COOKIE"])
        except Exception:  # a cookie header Flask would read differently: let Flask pick
            return ""
        asked = jar[COOKIE].value if COOKIE in jar else None
    if not asked and environ.get("HTTP_ACCEPT_LANGUAGE"):
        return ""  # negotiation is Flask's (webmap.i18n)
    return normalise(asked) or "ja"


class SearchAnswers:
    """WSGI middleware in front of ``app.wsgi_app`` (see the module docstring)."""

    def __init__(self, app: Flask) -> None:
        self._app = app
        self.wrapped = app.wsgi_app
        self._head: list[tuple[str, str]] | None = None

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        """Answer from the search index, or pass the request on to Flask."""
        if (
            environ.get("PATH_INFO") != PATH
            or environ.get("REQUEST_METHOD") != "GET"
            or carries_credentials(environ)
        ):
            return self.wrapped(environ, start_response)
        started = time.perf_counter()
        query = environ.get("QUERY_STRING", "")
        args: dict[str, str] = {}
        # WSGI gives the query string's bytes as latin-1 (PEP 3333): raw UTF-8 is read again
        # as UTF-8, as Flask does; percent-escapes are ASCII and come through unchanged
        text = query.encode("latin-1", "replace").decode("utf-8", "replace")
        for name, value in parse_qsl(text, keep_blank_values=True, errors="replace"):
            args.setdefault(name, value)
        lang = _lang(args, environ)
        if self._head is None or "\x00" in query or "%00" in query.lower() or not lang:
            return self._through_flask(environ, start_response)
        with self._app.app_context():
            try:
                asked = Query.parse(args.get("q"), args.get("limit"), args.get("near"), lang)
                body = search.index().search(asked)
            except KasaneError:
                return self.wrapped(environ, start_response)
            data = (self._app.json.dumps(body, separators=(",", ":")) + "\n").encode()
        headers = [(n, str(len(data)) if n == "Content-Length" else v) for n, v in self._head]
        start_response("200 OK", headers)
        where = ("GET", f"{PATH}?{query}", environ.get("REMOTE_ADDR"))
        metrics.observe(PATH, "", 200, time.perf_counter() - started, where)
        return [data]

    def _through_flask(
        self, environ: dict[str, Any], start_response: StartResponse
    ) -> Iterable[bytes]:
        def capture(status: str, headers: list[tuple[str, str]], *exc_info: Any) -> Any:
            if status.startswith("200 "):  # the same headers, less a ?lang= cookie
                self._head = [(n, v) for n, v in headers if n.lower() != "set-cookie"]
            return start_response(status, headers, *exc_info)

        return self.wrapped(environ, capture)


def init_app(app: Flask) -> None:
    """Put the search fast path in front of ``app``."""
    app.wsgi_app = SearchAnswers(app)  # type: ignore[method-assign]
