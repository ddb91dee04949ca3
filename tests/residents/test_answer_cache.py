"""Remembered answers (webmap/fastpath/remembered_answers.py): a repeated question gets the same
response without
the app running again, and no remembered answer outlives a status change or a new version."""

from __future__ import annotations

import time

import pytest

from gis.platform.db import connect
from tests.middleware import middleware
from tests.residents.helpers import bearer, demo_frames, shelter_of
from webmap.fastpath.remembered_answers import AnswerCache

pytestmark = pytest.mark.usefixtures("demo_loaded")
SHELTER_INDEX = 47  # a Yamaguchi-city shelter no other test changes


def _cache(app) -> AnswerCache:
    return middleware(app, AnswerCache)


def _near(lg_code: str, index: int) -> tuple[str, str]:
    """A shelter and a nearest-open question asked a few metres from it."""
    shelter = shelter_of(lg_code, index)
    frame = demo_frames()["shelters"]
    geom = frame.loc[frame["shelter_id"] == shelter["shelter_id"], "geometry"].iloc[0]
    url = f"/api/shelters/nearest?lat={geom.y + 0.00003:.6f}&lon={geom.x:.6f}&open=true&n=1"
    return shelter["shelter_id"], url


def _first_open(client, url: str) -> str | None:
    shelters = client.get(url).get_json()["shelters"]
    return shelters[0]["shelter_id"] if shelters else None


def _without_date(headers) -> list[tuple[str, str]]:
    return sorted((k, v) for k, v in headers.items() if k != "Date")


def test_a_repeated_question_is_answered_from_memory_identically(app) -> None:
    client = app.test_client()
    cache = _cache(app)
    url = "/api/hazards/at?lat=34.178611&lon=131.473056"
    first = client.get(url)
    assert first.status_code == 200
    hits = cache.lru.hits
    again = client.get(url)
    assert cache.lru.hits == hits + 1  # the app did not run for the second answer
    assert again.status_code == 200
    assert again.data == first.data
    assert _without_date(again.headers) == _without_date(first.headers)
    assert again.get_json()["lat"] == pytest.approx(34.178611)


def test_bad_questions_and_signed_in_or_cookie_answers_are_not_kept(app, staff_tokens) -> None:
    client = app.test_client()
    cache = _cache(app)
    size = cache.lru.size
    assert client.get("/api/hazards/at?lat=91&lon=131.47").status_code == 400
    assert client.get("/api/hazards/at?lat=34.18&lon=131.47&lang=en").headers.get("Set-Cookie")
    signed_in = bearer(staff_tokens["yamaguchi_viewer"])
    assert client.get("/api/hazards/at?lat=34.19&lon=131.47", headers=signed_in).status_code == 200
    assert cache.lru.size == size


def test_a_status_change_through_the_api_is_seen_at_once(app, staff_tokens) -> None:
    client = app.test_client()
    shelter_id, url = _near("352039", SHELTER_INDEX)
    token = bearer(staff_tokens["yamaguchi_editor"])
    for status in ("open", "closed", "open"):
        r = client.put(f"/api/shelters/{shelter_id}/status", json={"status": status}, headers=token)
        assert r.status_code == 200
        assert (_first_open(client, url) == shelter_id) == (status == "open")


def test_a_status_change_made_elsewhere_reaches_this_process(
    app, database_url, staff_tokens
) -> None:
    """Another process (here: plain SQL) changes a status; the trigger's NOTIFY moves the
    epoch, so the remembered answer is dropped within moments."""
    client = app.test_client()
    shelter_id, url = _near("352039", SHELTER_INDEX)
    token = bearer(staff_tokens["yamaguchi_editor"])
    r = client.put(f"/api/shelters/{shelter_id}/status", json={"status": "closed"}, headers=token)
    assert r.status_code == 200
    assert _first_open(client, url) != shelter_id
    for status in ("open", "closed"):
        with connect(database_url) as conn:
            conn.execute(
                "UPDATE kasane.shelter_status SET status = %s, revision = revision + 1"
                " WHERE shelter_id = %s",
                (status, shelter_id),
            )
        deadline = time.monotonic() + 5
        while (_first_open(client, url) == shelter_id) != (status == "open"):
            assert time.monotonic() < deadline, f"the {status} status never reached the answer"
            time.sleep(0.05)


def test_status_changes_leave_hazard_answers_but_a_new_version_does_not(
    app, database_url, staff_tokens
) -> None:
    """Hazard answers do not depend on shelter status, so a busy disaster day of status
    changes keeps them; a layer change (the NOTIFY a load sends) drops them."""
    client = app.test_client()
    cache = _cache(app)
    url = "/api/hazards/at?lat=34.181111&lon=131.468889"
    assert client.get(url).status_code == 200
    shelter_id = shelter_of("352039", SHELTER_INDEX)["shelter_id"]
    token = bearer(staff_tokens["yamaguchi_editor"])
    r = client.put(f"/api/shelters/{shelter_id}/status", json={"status": "open"}, headers=token)
    assert r.status_code == 200
    hits = cache.lru.hits
    assert client.get(url).status_code == 200
    assert cache.lru.hits == hits + 1

    with connect(database_url, autocommit=True) as conn:
        conn.execute("SELECT pg_notify('kasane_layers', '{}')")
    deadline = time.monotonic() + 5
    while True:
        misses = cache.lru.misses
        assert client.get(url).status_code == 200
        if cache.lru.misses == misses + 1:
            break
        assert time.monotonic() < deadline, "the layer notification never reached the cache"
        time.sleep(0.05)
