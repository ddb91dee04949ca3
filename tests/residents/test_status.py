"""PUT /api/shelters/{id}/status: token auth, who may change what, history, and status that
survives a reload of the shelters layer."""

from __future__ import annotations

import psycopg
import pytest

from etl.writer import write_version
from gis.layerstore import storage
from gis.platform.db import connect
from tests.residents.helpers import bearer, demo_frames, shelter_of

pytestmark = pytest.mark.usefixtures("demo_loaded")


def _put(client, shelter_id: str, body: dict, token: str | None = None):
    headers = bearer(token) if token else {}
    return client.put(f"/api/shelters/{shelter_id}/status", json=body, headers=headers)


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer ksn_not-a-real-token"}, {"Authorization": "Basic dXNlcjpwdw=="}],
)
def test_without_a_valid_token_401(client, headers) -> None:
    sid = shelter_of("352039", 40)["shelter_id"]
    r = client.put(f"/api/shelters/{sid}/status", json={"status": "open"}, headers=headers)
    assert r.status_code == 401
    assert r.mimetype == "application/problem+json"
    assert r.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    ("who", "lg_code", "status"),
    [
        ("hofu_editor", "352039", 403),  # another municipality's shelter
        ("yamaguchi_viewer", "352039", 403),  # viewers read only
        ("pref_editor", "352063", 403),  # only the prefecture's admins edit everywhere
        ("yamaguchi_editor", "352039", 200),
        ("hofu_editor", "352063", 200),
        ("pref_admin", "352021", 200),
    ],
)
def test_who_may_change_a_shelter(client, staff_tokens, who, lg_code, status) -> None:
    sid = shelter_of(lg_code, 41 if lg_code == "352039" else 11)["shelter_id"]
    r = _put(client, sid, {"status": "unknown"}, staff_tokens[who])
    assert r.status_code == status, r.get_json()
    if status == 403:
        assert r.mimetype == "application/problem+json"


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"status": "party"}, "unknown status"),
        ({"status": "open", "crowding": "packed"}, "unknown crowding"),
        ({"crowding": "vacant"}, 'at least "status"'),
        ({"status": "open", "colour": "red"}, "unknown keys"),
        ({"status": "open", "note": "x" * 501}, "at most 500"),
        ({"status": "open", "distribution": "Drill"}, "distribution"),
    ],
)
def test_bad_bodies_are_400(client, staff_tokens, body, words) -> None:
    sid = shelter_of("352039", 42)["shelter_id"]
    r = _put(client, sid, body, staff_tokens["yamaguchi_editor"])
    assert r.status_code == 400
    assert words in r.get_json()["detail"]


def test_unknown_shelter_is_404(client, staff_tokens) -> None:
    r = _put(client, "E0000000000000", {"status": "open"}, staff_tokens["pref_admin"])
    assert r.status_code == 404


def test_changes_are_kept_with_who_and_when(client, database_url, staff_tokens) -> None:
    sid = shelter_of("352039", 43)["shelter_id"]
    token = staff_tokens["yamaguchi_editor"]
    first = _put(client, sid, {"status": "開設", "crowding": "空き"}, token).get_json()
    second = _put(
        client, sid, {"status": "open", "crowding": "crowded", "note": "体育館のみ"}, token
    )
    third = _put(client, sid, {"status": "closed"}, staff_tokens["pref_admin"]).get_json()
    assert first["status"] == "open" and first["status_label"]["ja"] == "開設"
    assert first["crowding"] == "vacant" and first["opened_at"]
    assert second.get_json()["revision"] == first["revision"] + 1
    assert second.get_json()["opened_at"] == first["opened_at"]  # still the same opening
    assert third["closed_at"] and third["status_label"]["en"] == "Closed"
    with connect(database_url) as conn:
        rows = conn.execute(
            "SELECT revision, old_status, new_status, old_crowding, new_crowding, note,"
            " user_name, org_code, changed_at FROM kasane.shelter_status_history"
            " WHERE shelter_id = %s ORDER BY revision",
            (sid,),
        ).fetchall()
    tail = rows[-3:]
    assert [(r[1], r[2]) for r in tail] == [
        (rows[-4][2] if len(rows) > 3 else None, "open"),
        ("open", "open"),
        ("open", "closed"),
    ]
    assert [r[4] for r in tail] == ["vacant", "crowded", "unknown"]
    assert tail[1][5] == "体育館のみ"
    assert tail[0][6].startswith("yamaguchi_editor-") and tail[0][7] == "352039"
    assert tail[2][6].startswith("pref_admin-") and tail[2][7] == "350001"
    assert tail[0][8] <= tail[1][8] <= tail[2][8]
    public = client.get(f"/api/shelters/{sid}/status").get_json()
    assert public["status"] == "closed"
    assert [h["new_status"] for h in public["history"]][-3:] == ["open", "open", "closed"]


def test_history_is_append_only(database_url) -> None:
    with connect(database_url) as conn, pytest.raises(psycopg.errors.RaiseException):
        conn.execute("DELETE FROM kasane.shelter_status_history")


def test_status_survives_a_reload_of_the_shelter_layer(
    client, database_url, registry, staff_tokens
) -> None:
    sid = shelter_of("352063", 20)["shelter_id"]
    assert _put(client, sid, {"status": "open"}, staff_tokens["hofu_editor"]).status_code == 200
    frame = demo_frames()["shelters"]
    with connect(database_url, autocommit=True) as conn:
        before = storage.current_versions(conn)["shelters"]
        source = storage.SourceFile(name="reload-test", sha256="0" * 64, bytes=0)
        after = write_version(
            conn, registry.get("shelters"), frame, storage.Provenance(files=[source])
        )
    assert after == before + 1
    lon, lat = frame[frame.shelter_id == sid].geometry.iloc[0].coords[0]
    near = client.get(f"/api/shelters/nearest?lat={lat}&lon={lon}&n=1&open=true").get_json()
    assert near["shelters"][0]["shelter_id"] == sid
    assert near["shelters"][0]["status"] == "open"
