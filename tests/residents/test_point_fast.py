"""Point questions answered before Flask (webmap/fastpath/point_questions.py): the same status,
headers and
body as Flask's answer, and everything the path does not handle left to Flask."""

from __future__ import annotations

from typing import Any

import pytest
from werkzeug.test import EnvironBuilder

from tests.middleware import middleware
from tests.residents.test_point_memory import _points, _wait_for_memory
from webmap.fastpath.point_questions import PointAnswers

pytestmark = pytest.mark.usefixtures("demo_loaded")


def _call(wsgi: Any, url: str, **headers: str) -> tuple[str, list[tuple[str, str]], bytes]:
    path, _, query = url.partition("?")
    environ = EnvironBuilder(path=path, query_string=query, headers=headers).get_environ()
    seen: list[Any] = []
    body = b"".join(wsgi(environ, lambda status, head, *exc: seen.append((status, head))))
    status, head = seen[-1]
    return status, [(k, v) for k, v in head if k != "Date"], body


@pytest.fixture()
def fast(app, client) -> PointAnswers:
    lon, lat = _points(4, seed=41)[0]
    _wait_for_memory(app, client, lon, lat)
    return middleware(app, PointAnswers)


@pytest.fixture()
def flask_calls(fast, monkeypatch) -> list[str]:
    """The requests the middleware passed on to Flask (which still answers them)."""
    passed: list[str] = []
    real = fast.wrapped

    def counting(environ, start_response):  # type: ignore[no-untyped-def]
        passed.append(environ["PATH_INFO"] + "?" + environ.get("QUERY_STRING", ""))
        return real(environ, start_response)

    monkeypatch.setattr(fast, "wrapped", counting)
    return passed


def _urls() -> list[str]:
    urls = []
    for i, (lon, lat) in enumerate(_points(12, seed=43)):
        urls.append(f"/api/hazards/at?lat={lat:.6f}&lon={lon:.6f}")
        hazard = ("flood", "landslide", "")[i % 3]
        urls.append(f"/api/shelters/nearest?lat={lat:.6f}&lon={lon:.6f}&hazard={hazard}&n={i + 1}")
    urls.append("/api/shelters/nearest?lat=34.18&lon=131.47&open=true&n=5")
    return urls


def test_answers_are_flasks_header_for_header(fast, flask_calls) -> None:
    for url in _urls()[:2]:  # each path learns Flask's headers from its first plain answer
        _call(fast, url)
    flask_calls.clear()
    for url in _urls():
        got = _call(fast, url)
        assert got == _call(fast.wrapped, url), url
        assert got[0] == "200 OK"
    assert flask_calls == _urls()  # only the comparisons went through Flask


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("/api/hazards/at?lat=abc&lon=131.47", "400 BAD REQUEST"),
        ("/api/hazards/at?lat=43.06&lon=141.35", "400 BAD REQUEST"),
        ("/api/shelters/nearest?lat=34.18&lon=131.47&hazard=meteor", "400 BAD REQUEST"),
        ("/api/shelters/nearest?lat=34.18&lon=131.47&n=0", "400 BAD REQUEST"),
        ("/api/hazards/at?lat=34.18%00&lon=131.47", "400 BAD REQUEST"),
        ("/api/hazards/at?lat=34.18&lon=131.47&lang=en", "200 OK"),
    ],
)
def test_errors_and_cookies_are_left_to_flask(fast, flask_calls, query, status) -> None:
    for url in _urls()[:2]:
        _call(fast, url)
    flask_calls.clear()
    got = _call(fast, query)
    assert got[0] == status
    assert flask_calls == [query.partition("?")[0] + "?" + query.partition("?")[2]]
    if "lang=en" in query:
        assert any(name == "Set-Cookie" for name, _ in got[1])
    else:
        assert dict(got[1])["Content-Type"] == "application/problem+json"


def test_signed_in_questions_go_through_flask(fast, flask_calls, staff_tokens) -> None:
    url = _urls()[0]
    _call(fast, url)
    flask_calls.clear()
    status, _, _ = _call(fast, url, Authorization=f"Bearer {staff_tokens['pref_admin']}")
    assert status == "200 OK"
    assert len(flask_calls) == 1
