"""Publish data from the console: a broken file shows its row-level findings and publishes
nothing; a good one shows the preview and the difference by id, is published only on
"Publish", and can be rolled back after a confirmation. Other organisations get 404s."""

from __future__ import annotations

import io
import re

import pytest

from gis.platform.db import connect
from tests.staff.conftest import SITES, csrf_of, page_token, served_version, sign_in, sites

pytestmark = pytest.mark.usefixtures("demo_loaded")


def _preview(client, files: list[tuple[bytes, str]]):  # type: ignore[no-untyped-def]
    token = page_token(client, f"/staff/layers/{SITES}")
    data = {"file": [(io.BytesIO(b), name) for b, name in files], "csrf_token": token}
    return client.post(f"/staff/layers/{SITES}/preview", data=data,
                       content_type="multipart/form-data")  # fmt: skip


def _publish(client, preview_html: str):  # type: ignore[no-untyped-def]
    draft = re.search(r'name="draft" value="([^"]+)"', preview_html)
    assert draft, "the preview offers no Publish button"
    data = {"draft": draft.group(1), "csrf_token": csrf_of(preview_html)}
    return client.post(f"/staff/layers/{SITES}/publish", data=data)


def _diff(html: str) -> dict[str, int]:
    return {k: int(v) for k, v in re.findall(r'data-diff="(\w+)">(\d+)<', html)}


def test_broken_file_shows_rows_and_publishes_nothing(publish_app, people, database_url) -> None:
    client = publish_app.test_client()
    sign_in(client, people["yamaguchi_editor"])
    before = served_version(database_url)
    broken = _preview(client, [(sites([None, None]), "broken.geojson")])
    html = broken.get_data(as_text=True)
    assert broken.status_code == 422
    assert 'id="preview-error"' in html and 'name="draft"' not in html
    rows = re.findall(r'<tr data-action="rejected"><td>([^<]+)</td><td class="num">(\d+)</td>'
                      r"<td>([^<]+)</td>", html)  # fmt: skip
    assert [(f, int(r), fld) for f, r, fld in rows] == [
        ("broken.geojson", 1, "name"), ("broken.geojson", 2, "name")]  # fmt: skip
    garbage = _preview(client, [(b"\x00\x01 not a file at all", "x.bin")])
    assert garbage.status_code in (415, 422)
    assert 'id="preview-error"' in garbage.get_data(as_text=True)
    assert served_version(database_url) == before


def test_preview_difference_publish_and_rollback(publish_app, people, database_url) -> None:
    client = publish_app.test_client()
    sign_in(client, people["yamaguchi_editor"])
    first = _preview(client, [(sites(["駅前", "図書館", "公民館"]), "sites.geojson")])
    html = first.get_data(as_text=True)
    assert first.status_code == 200, html
    start = served_version(database_url)
    assert start is None or _diff(html)["added"] >= 0
    assert "<svg" in html and 'role="img"' in html  # the small map of what will be published
    assert served_version(database_url) == start  # nothing until Publish
    published = _publish(client, html)
    assert published.status_code == 303
    v1 = served_version(database_url)
    assert v1 is not None and v1 != start
    second = _preview(client, [(sites(["駅前", "図書館", "体育館"]), "sites2.geojson")])
    html2 = second.get_data(as_text=True)
    assert _diff(html2) == {"added": 1, "removed": 1, "kept": 2}
    assert "体育館" in html2 and "公民館" in html2
    assert 'data-count="loaded">3<' in html2
    _publish(client, html2)
    v2 = served_version(database_url)
    assert v2 == v1 + 1
    page = client.get(f"/staff/layers/{SITES}").get_data(as_text=True)
    assert people["yamaguchi_editor"] in page  # who published
    token = csrf_of(page)
    ask = client.post(f"/staff/layers/{SITES}/rollback", data={"version": v1, "csrf_token": token})
    assert ask.status_code == 200 and 'id="rollback-confirm"' in ask.get_data(as_text=True)
    assert served_version(database_url) == v2  # only asked
    done = client.post(f"/staff/layers/{SITES}/rollback",
                       data={"version": v1, "confirm": "yes", "csrf_token": token})  # fmt: skip
    assert done.status_code == 303
    assert served_version(database_url) == v1
    with connect(database_url) as conn:
        entry = conn.execute(
            "SELECT actor, before, after FROM kasane.audit_log WHERE action = 'layer.rollback'"
            " AND target = %s ORDER BY id DESC LIMIT 1",
            (f"layers/{SITES}",),
        ).fetchone()
    assert entry == (people["yamaguchi_editor"], {"version": v2}, {"version": v1})


def test_other_organisations_and_other_users_get_404s(publish_app, people, database_url) -> None:
    owner = publish_app.test_client()
    sign_in(owner, people["yamaguchi_editor"])
    html = _preview(owner, [(sites(["甲", "乙"]), "s.geojson")]).get_data(as_text=True)
    hofu = publish_app.test_client()
    sign_in(hofu, people["hofu_editor"])
    assert hofu.get(f"/staff/layers/{SITES}").status_code == 404
    assert hofu.get("/staff/layers/no_such_layer").status_code == 404
    assert SITES not in hofu.get("/staff/layers").get_data(as_text=True)
    token = page_token(hofu, "/staff/")
    draft = re.search(r'name="draft" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]
    stolen = hofu.post(f"/staff/layers/{SITES}/publish", data={"draft": draft, "csrf_token": token})
    assert stolen.status_code == 404
    colleague = publish_app.test_client()
    sign_in(colleague, people["yamaguchi_admin"])
    mine = page_token(colleague, "/staff/")
    other = colleague.post(
        f"/staff/layers/{SITES}/publish", data={"draft": draft, "csrf_token": mine}
    )
    assert other.status_code == 404  # a draft is its uploader's alone
    viewer = publish_app.test_client()
    sign_in(viewer, people["yamaguchi_viewer"])
    assert viewer.get(f"/staff/layers/{SITES}").status_code == 404


def test_restricted_layer_follows_the_session_like_a_token(publish_app, people) -> None:
    editor = publish_app.test_client()
    sign_in(editor, people["yamaguchi_editor"])
    html = _preview(editor, [(sites(["庁舎"]), "one.geojson")]).get_data(as_text=True)
    assert _publish(editor, html).status_code == 303
    member, stranger = publish_app.test_client(), publish_app.test_client()
    sign_in(member, people["yamaguchi_viewer"])
    sign_in(stranger, people["hofu_editor"])
    anonymous = publish_app.test_client()
    seen = member.get(f"/collections/{SITES}")
    assert seen.status_code == 200 and "no-store" in seen.headers["Cache-Control"]
    assert SITES in member.get("/collections").get_data(as_text=True)
    items = member.get(f"/collections/{SITES}/items").get_json()
    assert [f["properties"]["name"] for f in items["features"]] == ["庁舎"]
    assert stranger.get(f"/collections/{SITES}").status_code == 404
    assert anonymous.get(f"/collections/{SITES}").status_code == 404
    member.post("/staff/sign-out", data={"csrf_token": page_token(member, "/staff/")})
    assert member.get(f"/collections/{SITES}").status_code == 404  # signed out: anonymous
