"""Every bad upload of the corpus gets its exact error, the served version stays as it was,
and nothing is left in the upload directory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.hardening.corpus import CASES, NOTHING, Case
from tests.hardening.uploads import leftovers, points, post, served
from tests.shared_data import shared_path


@pytest.fixture()
def baseline(
    upload_app: Any,
    staff_tokens: dict[str, str],
    restricted_loaded: dict[str, Any],
    database_url: str,
) -> tuple[int | None, str | None]:
    """A served version of the upload layer to compare against."""
    state = served(database_url)
    if state[0] is None:
        lon, lat = restricted_loaded["point"]
        client = upload_app.test_client()
        first = post(client, staff_tokens["yamaguchi_editor"],
                     [(points(["基準"], lon, lat), "base.geojson")])  # fmt: skip
        assert first.status_code == 201, first.get_json()
        state = served(database_url)
    return state


def _check(response: Any, case: Case) -> None:
    body = response.get_json()
    assert response.status_code == case.status, body
    assert response.mimetype == "application/problem+json"
    assert body["type"] == f"urn:kasane:problem:{case.code}"
    assert body["detail"] == case.detail
    if case.reason is not None:
        files = body["report"]["files"]
        found = files[0]["error"] or files[0]["issues"][0]["reason"] if files else None
        assert found == case.reason


def test_corpus_has_at_least_40_cases() -> None:
    assert len(CASES) >= 40
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_upload(
    case: Case,
    upload_app: Any,
    staff_tokens: dict[str, str],
    restricted_loaded: dict[str, Any],
    database_url: str,
    baseline: Any,
    upload_dir: Path,
) -> None:
    lon, lat = restricted_loaded["point"]
    files = case.build(lon, lat)
    response = post(upload_app.test_client(), staff_tokens["yamaguchi_editor"], files,
                    **case.fields)  # fmt: skip
    _check(response, case)
    assert served(database_url) == baseline
    assert leftovers(upload_dir) == []


def test_real_stub_that_is_not_geojson(
    upload_app: Any,
    staff_tokens: dict[str, str],
    database_url: str,
    baseline: Any,
    upload_dir: Path,
) -> None:
    """A real file from the GSI download: a ``{"type": "unavailable"}`` stub, not GeoJSON."""
    path = shared_path("gsi-shelters", "emergency", "331015.json")
    data = path.read_bytes()
    import json

    stub = json.loads(data)
    detail = f'331015.json: JSON of type "{stub["type"]}", not GeoJSON'
    if isinstance(stub.get("message"), str):
        detail += f": {stub['message']}"
    response = post(upload_app.test_client(), staff_tokens["yamaguchi_editor"],
                    [(data, "331015.json")])  # fmt: skip
    _check(response, Case("stub", lambda a, b: [], 415, "unsupported-media-type",
                          f"{detail} is not loadable"))  # fmt: skip
    assert served(database_url) == baseline
    assert leftovers(upload_dir) == []
    assert NOTHING.startswith("nothing was loaded")
