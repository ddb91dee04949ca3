"""Shelter status writes: a token is required, editors change only their own municipality's
shelters (also when guessing ids), every change is audited; writes are rate limited."""

from __future__ import annotations

from typing import Any

import pytest

from gis.platform import audit
from gis.platform.db import connect
from tests.residents.helpers import shelter_of, statuses

BODY = {"status": "open", "crowding": "vacant"}


def _put(client: Any, token: str | None, shelter_id: str, body: Any = BODY) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.put(f"/api/shelters/{shelter_id}/status", json=body, headers=headers)


@pytest.mark.parametrize(
    ("who", "status"),
    [(None, 401), ("bad", 401), ("yamaguchi_viewer", 403), ("hofu_editor", 403),
     ("pref_editor", 403)],
)  # fmt: skip
def test_refused_writes_change_nothing(
    client: Any,
    staff_tokens: dict[str, str],
    demo_loaded: Any,
    database_url: str,
    who: str | None,
    status: int,
) -> None:
    target = shelter_of("352039", -1)["shelter_id"]
    token = "ksn_guessed" if who == "bad" else staff_tokens[who] if who else None
    before = statuses(database_url)
    response = _put(client, token, target)
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    assert statuses(database_url) == before


def test_guessing_ids(client: Any, staff_tokens: dict[str, str], demo_loaded: Any,
                      database_url: str) -> None:  # fmt: skip
    token = staff_tokens["hofu_editor"]
    before = statuses(database_url)
    for guess in ("0", "1", "352039-0001", "' OR 1=1 --", "..%2F352039"):
        assert _put(client, token, guess).status_code == 404, guess
    assert _put(client, token, "%00").status_code == 400
    other = shelter_of("352039", -2)["shelter_id"]
    assert _put(client, token, other).status_code == 403
    assert statuses(database_url) == before


@pytest.mark.parametrize("who", ["yamaguchi_editor", "pref_admin"])
def test_allowed_writes_are_audited(
    client: Any, staff_tokens: dict[str, str], demo_loaded: Any, database_url: str, who: str
) -> None:
    target = shelter_of("352039", -1)["shelter_id"]
    before = statuses(database_url).get(target)
    new = "closed" if before == "open" else "open"
    response = _put(client, staff_tokens[who], target, {"status": new})
    assert response.status_code == 200
    assert statuses(database_url)[target] == new
    with connect(database_url) as conn:
        entry = audit.entries(conn, action="shelter.status", limit=1)[0]
    assert entry.target == f"shelters/{target}"
    assert entry.after["status"] == new
    assert (entry.before or {}).get("status") == before
    assert entry.actor.startswith(who)


def test_write_rate_limit(settings: Any, staff_tokens: dict[str, str], demo_loaded: Any) -> None:
    from webmap import close, create_app

    app = create_app(settings.model_copy(update={"rate_limit_writes": 3}))
    try:
        client = app.test_client()
        target = shelter_of("352039", -3)["shelter_id"]
        token = staff_tokens["yamaguchi_editor"]
        codes = [_put(client, token, target).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        limited = _put(client, token, target)
        assert limited.mimetype == "application/problem+json"
        assert 1 <= int(limited.headers["Retry-After"]) <= 20
        assert client.get("/collections").status_code == 200  # reads are not limited
        assert client.get("/healthz", environ_base={"REMOTE_ADDR": "10.0.0.2"}).status_code == 200
        other = client.put(f"/api/shelters/{target}/status", json=BODY,
                           headers={"Authorization": f"Bearer {token}"},
                           environ_base={"REMOTE_ADDR": "10.0.0.2"})  # fmt: skip
        assert other.status_code == 200  # another client has its own bucket
    finally:
        close(app)


def test_heavy_rate_limit(settings: Any, demo_loaded: Any) -> None:
    from webmap import close, create_app

    app = create_app(settings.model_copy(update={"rate_limit_heavy": 2}))
    try:
        client = app.test_client()
        codes = [client.get("/api/areastats/wifi_spots").status_code for _ in range(3)]
        assert codes == [200, 200, 429]
        assert client.get("/api/hazards/at?lat=34.18&lon=131.47").status_code != 429
    finally:
        close(app)
