"""Publishing one municipality's part of a shared layer from the console: 山口市 and 防府市
publish their own parts in turn and both stay served; 防府市 rolls back and 山口市's part is
untouched; a municipality never sees, previews or rolls back another's part (404); the
prefecture's admin chooses any part; the audit log names the part; the page, the preview and the
rollback question are axe clean in ja and en at 1366 and 360 px."""

from __future__ import annotations

import io
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gis.platform.db import connect
from gis.platform.settings import Settings
from tests.conftest import ROOT
from tests.server import running_server
from tests.staff.conftest import PASSWORD, csrf_of, page_token, sign_in

pytestmark = pytest.mark.usefixtures("demo_loaded")

SHARED = "staff_shared_sites"  # a layer of the prefecture shared by its municipalities
YAMAGUCHI, HOFU = "352039", "352063"
WHERE = {YAMAGUCHI: (131.47, 34.18), HOFU: (131.57, 34.06)}


@pytest.fixture(scope="module")
def shared_layers_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """layers/ plus :data:`SHARED`: the Wi-Fi layer's fields, owned by 山口県, in parts."""
    target = tmp_path_factory.mktemp("shared-layers")
    for path in (ROOT / "layers").glob("*.toml"):
        shutil.copy(path, target / path.name)
    text = (ROOT / "layers" / "wifi_spots.toml").read_text(encoding="utf-8")
    kept = [line for line in text.splitlines()
            if not line.startswith(("id =", "owner =", "id_field =", "parts ="))]  # fmt: skip
    head = [f'id = "{SHARED}"', 'owner = "350001"', 'id_field = "name"', 'parts = "lg_code"']
    (target / f"{SHARED}.toml").write_text("\n".join(head + kept) + "\n", encoding="utf-8")
    return target


@pytest.fixture()
def shared_app(settings: Settings, shared_layers_dir: Path, tmp_path: Path) -> Iterator[Any]:
    """An app that loads uploads (as `kasane serve` does) and knows :data:`SHARED`."""
    from etl.upload import load_upload
    from webmap import close, create_app

    changes = {"layers_dir": shared_layers_dir, "upload_dir": tmp_path / "uploads"}
    application = create_app(settings.model_copy(update=changes), loader=load_upload)
    application.testing = True
    yield application
    close(application)


def sites(code: str, names: list[str], *more: tuple[str, list[str]]) -> bytes:
    """A GeoJSON of points of municipality ``code`` named ``names`` (and of ``more``)."""
    features = []
    for place, labels in ((code, names), *more):
        lon, lat = WHERE[place]
        features += [
            {"type": "Feature", "properties": {"name": name, "lg_code": place, "ssid": "net"},
             "geometry": {"type": "Point", "coordinates": [lon + i * 0.001, lat]}}
            for i, name in enumerate(labels)
        ]  # fmt: skip
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def _preview(client, body: bytes, part: str | None = None):  # type: ignore[no-untyped-def]
    token = page_token(client, f"/staff/layers/{SHARED}")
    data: dict[str, Any] = {"file": [(io.BytesIO(body), "sites.geojson")], "csrf_token": token}
    if part:
        data["part"] = part
    return client.post(f"/staff/layers/{SHARED}/preview", data=data,
                       content_type="multipart/form-data")  # fmt: skip


def _publish(client, preview_html: str):  # type: ignore[no-untyped-def]
    draft = re.search(r'name="draft" value="([^"]+)"', preview_html)
    assert draft, "the preview offers no Publish button"
    data = {"draft": draft.group(1), "csrf_token": csrf_of(preview_html)}
    return client.post(f"/staff/layers/{SHARED}/publish", data=data)


def _served(database_url: str) -> dict[str, list[str]]:
    """The served names of each part, read straight from the database."""
    with connect(database_url) as conn:
        rows = conn.execute(
            f'SELECT lg_code, name FROM layer_data."{SHARED}" ORDER BY lg_code, name'
        ).fetchall()
    out: dict[str, list[str]] = {}
    for code, name in rows:
        out.setdefault(str(code), []).append(str(name))
    return out


def test_two_municipalities_publish_and_roll_back_their_own_parts(
    shared_app, people, database_url
) -> None:
    yamaguchi, hofu = shared_app.test_client(), shared_app.test_client()
    sign_in(yamaguchi, people["yamaguchi_editor"])
    sign_in(hofu, people["hofu_editor"])
    listed = yamaguchi.get("/staff/layers").get_data(as_text=True)
    assert f'data-layer="{SHARED}"' in listed  # the prefecture's shared layer: their part

    page = yamaguchi.get(f"/staff/layers/{SHARED}").get_data(as_text=True)
    assert 'id="part-name"' in page and YAMAGUCHI in page and 'id="part-form"' not in page
    first = _preview(yamaguchi, sites(YAMAGUCHI, ["駅前", "図書館"]))
    assert first.status_code == 200, first.get_data(as_text=True)
    assert _publish(yamaguchi, first.get_data(as_text=True)).status_code == 303
    made = _preview(hofu, sites(HOFU, ["天満宮"]))
    assert _publish(hofu, made.get_data(as_text=True)).status_code == 303
    assert _served(database_url) == {YAMAGUCHI: ["図書館", "駅前"], HOFU: ["天満宮"]}

    # Another municipality's rows are refused row by row, with the reason; nothing changes.
    mixed = _preview(hofu, sites(HOFU, ["駅"], (YAMAGUCHI, ["x"])))
    html = mixed.get_data(as_text=True)
    assert mixed.status_code == 200, html
    assert f"row belongs to part {YAMAGUCHI}, not to part {HOFU} being published" in html

    again = _preview(hofu, sites(HOFU, ["天満宮", "駅"]))
    diff = dict(re.findall(r'data-diff="(\w+)">(\d+)<', again.get_data(as_text=True)))
    assert diff == {"added": "1", "removed": "0", "kept": "1"}  # compared with 防府市's part only
    assert _publish(hofu, again.get_data(as_text=True)).status_code == 303
    assert _served(database_url)[HOFU] == ["天満宮", "駅"]

    # 防府市 cannot see, preview or roll back 山口市's part: the 404 of an unknown part.
    assert hofu.get(f"/staff/layers/{SHARED}?part={YAMAGUCHI}").status_code == 404
    assert _preview(hofu, sites(YAMAGUCHI, ["x"]), part=YAMAGUCHI).status_code == 404
    token = page_token(hofu, f"/staff/layers/{SHARED}")
    steal = {"version": "1", "part": YAMAGUCHI, "confirm": "yes", "csrf_token": token}
    assert hofu.post(f"/staff/layers/{SHARED}/rollback", data=steal).status_code == 404

    # 防府市 rolls back its own part; 山口市's stays as it is.
    back = {"version": "1", "part": HOFU, "confirm": "yes", "csrf_token": token}
    done = hofu.post(f"/staff/layers/{SHARED}/rollback", data=back)
    assert done.status_code == 303 and f"part={HOFU}" in done.headers["Location"]
    assert _served(database_url) == {YAMAGUCHI: ["図書館", "駅前"], HOFU: ["天満宮"]}
    versions = hofu.get(f"/staff/layers/{SHARED}").get_data(as_text=True)
    assert re.search(r'<tr data-version="1" class="current">', versions)
    with connect(database_url) as conn:
        targets = [str(r[0]) for r in conn.execute(
            "SELECT target FROM kasane.audit_log WHERE target LIKE %s ORDER BY id",
            (f"layers/{SHARED}%",)).fetchall()]  # fmt: skip
    assert targets == [f"layers/{SHARED}/parts/{YAMAGUCHI}"] + [f"layers/{SHARED}/parts/{HOFU}"] * 3


def test_prefecture_admin_chooses_any_part_and_viewers_none(
    shared_app, people, database_url
) -> None:
    pref, viewer = shared_app.test_client(), shared_app.test_client()
    sign_in(pref, people["pref_admin"])
    sign_in(viewer, people["yamaguchi_viewer"])
    page = pref.get(f"/staff/layers/{SHARED}?part={HOFU}").get_data(as_text=True)
    assert 'id="part-form"' in page and f'<option value="{HOFU}" selected>' in page
    assert f'<option value="{YAMAGUCHI}"' in page
    made = _preview(pref, sites(HOFU, ["県が代わりに"]), part=HOFU)
    assert made.status_code == 200, made.get_data(as_text=True)
    assert _publish(pref, made.get_data(as_text=True)).status_code == 303
    assert _served(database_url)[HOFU] == ["県が代わりに"]
    assert viewer.get(f"/staff/layers/{SHARED}").status_code == 404
    assert f'data-layer="{SHARED}"' not in viewer.get("/staff/layers").get_data(as_text=True)


@pytest.mark.browser
def test_part_pages_are_accessible(browser, people, database_url, shared_layers_dir: Path) -> None:
    """After the tests above: the layer page (selector), the preview and the rollback question,
    axe clean in ja and en at 1366 and 360 px, and usable with the keyboard only."""
    from tests.browser import axe_violations

    with running_server(database_url, KASANE_LAYERS_DIR=str(shared_layers_dir)) as base:
        for width in (1366, 360):
            context = browser.new_context(viewport={"width": width, "height": 900})
            try:
                page = context.new_page()
                page.goto(f"{base}/staff/sign-in?lang=en", wait_until="networkidle")
                page.fill("#name", people["pref_admin"])
                page.fill("#password", PASSWORD)
                with page.expect_navigation():
                    page.click("#sign-in-form button[type=submit]")
                for lang in ("ja", "en"):
                    page.goto(f"{base}/staff/layers/{SHARED}?lang={lang}",
                              wait_until="networkidle")  # fmt: skip
                    assert page.locator("#part").count() == 1
                    assert axe_violations(page) == [], (width, lang)
                page.select_option("#part", HOFU)
                page.focus("#part-form button")
                with page.expect_navigation():
                    page.keyboard.press("Enter")
                assert f"part={HOFU}" in page.url
                upload = {"name": "hofu.geojson", "mimeType": "application/geo+json",
                          "buffer": sites(HOFU, ["県が代わりに", "新しい"])}  # fmt: skip
                page.set_input_files("#file", files=[upload])
                with page.expect_navigation():
                    page.click("#upload-form button[type=submit]")
                assert HOFU in page.inner_text("h1")
                assert axe_violations(page) == [], width
                page.goto(f"{base}/staff/layers/{SHARED}?part={HOFU}&lang=ja",
                          wait_until="networkidle")  # fmt: skip
                with page.expect_navigation():
                    page.click("tr[data-version='1'] button")
                assert HOFU in page.inner_text("#rollback-question")
                assert axe_violations(page) == [], width
                assert page.evaluate("document.documentElement.scrollWidth") <= width
            finally:
                context.close()
