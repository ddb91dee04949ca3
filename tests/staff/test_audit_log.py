"""The audit log viewer: filters, CSV export, and each organisation's admins read only their
organisation's entries (the prefecture's admins everyone's)."""

from __future__ import annotations

import csv
import io

import pytest

from tests.residents.helpers import shelter_of
from tests.staff.conftest import page_token, sign_in

pytestmark = pytest.mark.usefixtures("demo_loaded")


def _signed(app, name: str):  # type: ignore[no-untyped-def]
    client = app.test_client()
    assert sign_in(client, name).status_code == 303
    return client


def _csv(client, query: str) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    response = client.get(f"/staff/audit.csv?{query}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_filters_and_csv(app, people) -> None:
    editor = _signed(app, people["yamaguchi_editor"])
    sid = shelter_of("352039", 60)["shelter_id"]
    token = page_token(editor, "/staff/shelters")
    editor.post(f"/staff/shelters/{sid}/state", data={"to": "full", "csrf_token": token})
    admin = _signed(app, people["yamaguchi_admin"])
    html = admin.get(f"/staff/audit?user={people['yamaguchi_editor']}&action=shelter.")
    assert html.status_code == 200 and f"shelters/{sid}" in html.get_data(as_text=True)
    rows = _csv(admin, f"user={people['yamaguchi_editor']}&action=shelter.status")
    assert rows and rows[0]["target"] == f"shelters/{sid}" and '"full"' in rows[0]["after"]
    assert {r["actor"] for r in rows} == {people["yamaguchi_editor"]}
    assert {r["organisation"] for r in _csv(admin, "")} == {"352039"}  # own organisation only
    assert _csv(admin, "since=2000-01-01&until=2000-12-31") == []
    assert admin.get("/staff/audit?since=yesterday").status_code == 400
    assert admin.get("/staff/audit?org=352063").status_code == 404


def test_prefecture_admin_reads_every_organisation(app, people) -> None:
    pref = _signed(app, people["pref_admin"])
    sign_in(app.test_client(), people["hofu_editor"])  # leaves a staff.sign_in entry of 防府市
    orgs = {r["organisation"] for r in _csv(pref, "action=staff.sign_in")}
    assert {"352063", "350001"} <= orgs
    assert {r["organisation"] for r in _csv(pref, "org=352063")} == {"352063"}


def test_editors_cannot_read_the_log(app, people) -> None:
    editor = _signed(app, people["yamaguchi_editor"])
    assert editor.get("/staff/audit").status_code == 404
    assert editor.get("/staff/audit.csv").status_code == 404
