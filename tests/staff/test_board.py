"""The shelter board without a browser: one tap changes the public status (same rules,
history and audit as the API), other municipalities' shelters are 404s like unknown ids,
bulk changes need a confirmation, and the prefecture sees the summary."""

from __future__ import annotations

import re

import pytest

from gis.platform.db import connect
from tests.residents.helpers import shelter_of
from tests.staff.conftest import page_token, sign_in

pytestmark = pytest.mark.usefixtures("demo_loaded")


def _client(app, people, key):  # type: ignore[no-untyped-def]
    client = app.test_client()
    assert sign_in(client, people[key]).status_code == 303
    return client


def _tap(client, sid: str, to: str, **extra: str):  # type: ignore[no-untyped-def]
    token = page_token(
        client, "/staff/shelters" + (f"?lg_code={extra['lg']}" if "lg" in extra else "")
    )
    data = {"to": to, "csrf_token": token, **{k: v for k, v in extra.items() if k != "lg"}}
    return client.post(f"/staff/shelters/{sid}/state", data=data)


def test_board_lists_only_the_own_municipality(app, people, demo_frames) -> None:
    client = _client(app, people, "hofu_editor")
    html = client.get("/staff/shelters").get_data(as_text=True)
    shown = set(re.findall(r'data-shelter-id="([^"]+)"', html))
    frame = demo_frames["shelters"]
    assert shown == set(frame[frame["lg_code"] == "352063"]["shelter_id"])
    assert client.get("/staff/shelters?lg_code=352039").status_code == 404


def test_board_filters_by_hazard_and_text(app, people, demo_frames) -> None:
    client = _client(app, people, "yamaguchi_editor")
    frame = demo_frames["shelters"]
    mine = frame[frame["lg_code"] == "352039"]
    flood = set(mine[mine["hz_flood"].fillna(False).astype(bool)]["shelter_id"])
    html = client.get("/staff/shelters?hazard=flood").get_data(as_text=True)
    assert set(re.findall(r'data-shelter-id="([^"]+)"', html)) == flood
    word = str(mine.iloc[3]["name"])
    html = client.get("/staff/shelters", query_string={"q": word}).get_data(as_text=True)
    shown = set(re.findall(r'data-shelter-id="([^"]+)"', html))
    assert mine.iloc[3]["shelter_id"] in shown
    assert shown <= set(
        mine[
            mine["name"].str.contains(word, regex=False)
            | mine["address"].fillna("").str.contains(word, regex=False)
        ]["shelter_id"]
    )


def test_one_tap_opens_a_shelter_for_everyone(app, client, database_url, people) -> None:
    staff = _client(app, people, "yamaguchi_editor")
    sid = shelter_of("352039", 50)["shelter_id"]
    response = _tap(staff, sid, "crowded", evacuees="37")
    assert response.status_code == 303 and f"#s-{sid}" in response.headers["Location"]
    public = client.get(f"/api/shelters/{sid}/status").get_json()
    assert public["status"] == "open" and public["crowding"] == "crowded"
    feed = client.get("/feeds/shelters.json").get_json()
    assert sid in {s["shelter_id"] for s in feed["shelters"]}
    with connect(database_url) as conn:
        audit = conn.execute(
            "SELECT actor, action, after FROM kasane.audit_log WHERE target = %s"
            " ORDER BY id DESC LIMIT 1",
            (f"shelters/{sid}",),
        ).fetchone()
        kept = conn.execute(
            "SELECT evacuees FROM kasane.shelter_status_history WHERE shelter_id = %s"
            " ORDER BY revision DESC LIMIT 1",
            (sid,),
        ).fetchone()
    assert audit is not None and audit[0] == people["yamaguchi_editor"]
    assert audit[1] == "shelter.status" and audit[2]["crowding"] == "crowded"
    assert kept == (37,)
    page = staff.get(response.headers["Location"]).get_data(as_text=True)
    assert 'id="board-done"' in page and "37" in page
    closed = _tap(staff, sid, "closed", state="crowded")  # tapped on a board filtered to crowded
    assert closed.status_code == 303 and "state=crowded" in closed.headers["Location"]
    assert client.get(f"/api/shelters/{sid}/status").get_json()["status"] == "closed"


@pytest.mark.parametrize(
    ("who", "lg_code"), [("hofu_editor", "352039"), ("yamaguchi_editor", "352063")]
)
def test_another_municipalitys_shelter_is_the_same_404_as_an_unknown_one(
    app, people, who, lg_code
) -> None:
    staff = _client(app, people, who)
    theirs = _tap(staff, shelter_of(lg_code, 5)["shelter_id"], "open")
    unknown = _tap(staff, "E9999999999999", "open")
    assert theirs.status_code == unknown.status_code == 404
    assert theirs.get_data(as_text=True).replace(shelter_of(lg_code, 5)["shelter_id"], "X") == (
        unknown.get_data(as_text=True).replace("E9999999999999", "X")
    )


def test_viewer_sees_the_board_but_cannot_change_it(app, people) -> None:
    staff = _client(app, people, "yamaguchi_viewer")
    html = staff.get("/staff/shelters").get_data(as_text=True)
    assert "data-shelter-id" in html and 'class="taps"' not in html
    assert _tap(staff, shelter_of("352039", 6)["shelter_id"], "open").status_code == 404


def test_bad_state_and_count_are_clear_400s(app, people) -> None:
    staff = _client(app, people, "yamaguchi_editor")
    sid = shelter_of("352039", 7)["shelter_id"]
    party = _tap(staff, sid, "party")
    assert party.status_code == 400 and "unknown state" in party.get_data(as_text=True)
    many = _tap(staff, sid, "open", evacuees="lots")
    assert many.status_code == 400 and "whole number" in many.get_data(as_text=True)


def test_bulk_change_needs_a_confirmation(app, client, people, demo_frames) -> None:
    staff = _client(app, people, "yamaguchi_editor")
    frame = demo_frames["shelters"]
    mine = frame[(frame["lg_code"] == "352039") & frame["hz_tsunami"].fillna(False).astype(bool)]
    want = set(mine["shelter_id"])
    token = page_token(staff, "/staff/shelters?hazard=tsunami")
    before = {s: client.get(f"/api/shelters/{s}/status").get_json()["status"] for s in want}
    review = staff.post("/staff/shelters/bulk", data={"lg_code": "352039", "hazard": "tsunami",
                        "target": "open", "csrf_token": token})  # fmt: skip
    html = review.get_data(as_text=True)
    assert review.status_code == 200 and f"{len(want)} " in html
    assert set(re.findall(r'name="shelter_id" value="([^"]+)"', html)) == want
    status = {s: client.get(f"/api/shelters/{s}/status").get_json()["status"] for s in want}
    assert status == before  # nothing changed yet (the demo drill may have opened some)
    done = staff.post("/staff/shelters/bulk", data={
        "lg_code": "352039", "hazard": "tsunami", "target": "open", "confirm": "yes",
        "csrf_token": token, "shelter_id": sorted(want)})  # fmt: skip
    assert done.status_code == 303
    assert {client.get(f"/api/shelters/{s}/status").get_json()["status"] for s in want} == {"open"}
    undo = staff.post("/staff/shelters/bulk", data={
        "lg_code": "352039", "hazard": "tsunami", "target": "closed", "confirm": "yes",
        "csrf_token": token, "shelter_id": sorted(want)})  # fmt: skip
    assert undo.status_code == 303


def test_bulk_cannot_reach_another_municipality(app, people) -> None:
    staff = _client(app, people, "yamaguchi_editor")
    token = page_token(staff, "/staff/shelters")
    hofu = shelter_of("352063", 3)["shelter_id"]
    sneaky = staff.post("/staff/shelters/bulk", data={"lg_code": "352039", "target": "open",
                        "confirm": "yes", "csrf_token": token, "shelter_id": [hofu]})  # fmt: skip
    assert sneaky.status_code == 404
    other = staff.post("/staff/shelters/bulk", data={"lg_code": "352063", "target": "open",
                       "csrf_token": token})  # fmt: skip
    assert other.status_code == 404


def test_prefecture_summary_counts_and_may_act(app, client, people, database_url) -> None:
    admin = _client(app, people, "pref_admin")
    sid = shelter_of("352021", 2)["shelter_id"]
    assert _tap(admin, sid, "full", lg="352021", evacuees="120").status_code == 303
    html = admin.get("/staff/summary").get_data(as_text=True)
    row = html.split('data-lg-code="352021"')[1].split("</tr>")[0]
    with connect(database_url) as conn:
        want = conn.execute(
            "SELECT count(*) FILTER (WHERE status = 'open' AND crowding = 'full'),"
            " sum(evacuees) FILTER (WHERE status IN ('open', 'permanent'))"
            " FROM kasane.shelter_status WHERE lg_code = '352021'"
        ).fetchone()
    cells = re.findall(r'<td class="num">(\d+)</td>', row)
    assert int(cells[3]) == want[0] >= 1 and int(cells[4]) == want[1] >= 120
    assert _client(app, people, "hofu_editor").get("/staff/summary").status_code == 404
