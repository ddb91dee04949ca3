"""Every write route of the OpenAPI document authenticates before it reads or validates the
body: an anonymous caller (or a bad token) gets 401 and a viewer 403, with the same answer
whatever the body, so a 4xx tells them nothing about what a valid body looks like."""

from __future__ import annotations

from typing import Any

import pytest

from webmap.auth import ANONYMOUS_WRITES

GARBAGE = b'{"status": "exploded", "type": "FeatureCollection", "features": [{'
PATH_VALUES = {"layerId": "staff_points", "shelterId": "352039-no-such", "draftId": "1"}


def _writes(client: Any) -> list[tuple[str, str]]:
    doc = client.get("/api").get_json()
    found = []
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method in ("post", "put", "patch", "delete") and op.get("security"):
                target = path
                for name, value in PATH_VALUES.items():
                    target = target.replace("{" + name + "}", value)
                assert "{" not in target, target
                found.append((method.upper(), target))
    return found


def _send(client: Any, method: str, path: str, token: str | None, body: bytes) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.open(path, method=method, data=body, headers=headers,
                       content_type="application/json")  # fmt: skip


@pytest.mark.parametrize(
    ("who", "status", "detail"),
    [
        (None, 401, "this request needs an API token: Authorization: Bearer <token>"),
        ("ksn_guessed", 401, "the API token is unknown or revoked"),
        ("yamaguchi_viewer", 403, None),
    ],
)  # fmt: skip
def test_writes_answer_401_403_before_looking_at_the_body(
    restricted_app: Any, staff_tokens: dict[str, str], who: str | None, status: int,
    detail: str | None,
) -> None:  # fmt: skip
    client = restricted_app.test_client()
    writes = _writes(client)
    assert ("POST", "/api/transit/drafts") in writes
    assert ("PUT", "/api/shelters/352039-no-such/status") in writes
    assert len(writes) == 4
    token = staff_tokens.get(who or "", who)
    for method, path in writes:
        answers = [_send(client, method, path, token, body) for body in (GARBAGE, b"", b"{}")]
        for answer in answers:
            assert answer.status_code == status, (method, path, answer.get_data(as_text=True))
            assert answer.mimetype == "application/problem+json"
        bodies = {a.get_data(as_text=True) for a in answers}
        assert len(bodies) == 1, (method, path, bodies)  # the body changed nothing
        problem = answers[0].get_json()
        if detail is not None:
            assert problem["detail"] == detail
            assert answers[0].headers["WWW-Authenticate"] == 'Bearer realm="kasane"'
        else:
            assert problem["detail"].endswith("is a viewer and may not change data")


def test_signed_in_writes_do_read_the_body(
    restricted_app: Any, staff_tokens: dict[str, str]
) -> None:
    """The same garbage from an editor gets the body's own 400: the test above can fail."""
    client = restricted_app.test_client()
    token = staff_tokens["yamaguchi_editor"]
    answer = _send(client, "POST", "/api/transit/drafts", token, GARBAGE)
    assert answer.status_code == 400, answer.get_data(as_text=True)
    assert "GeoJSON" in answer.get_json()["detail"]


def test_the_draft_evaluation_stays_open_to_everyone(restricted_app: Any) -> None:
    """Evaluating a draft saves nothing: it is a computation, answered without a token."""
    assert {"transit_api.evaluate_draft"} == ANONYMOUS_WRITES
    client = restricted_app.test_client()
    answer = _send(client, "POST", "/api/transit/drafts/evaluate", None, GARBAGE)
    assert answer.status_code == 400
