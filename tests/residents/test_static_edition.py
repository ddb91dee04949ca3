"""The static edition of /map/hazard (`kasane export static`), served by `python -m http.server`
with no Kasane running: its pages in real headless Chromium (check a place, nearest open
shelter, layer switcher, axe) give the answers the live API gives; a status change made through
the live API is in the edition that `kasane serve` keeps current within 10 s."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from gis.platform import auth
from gis.platform.db import connect
from gis.platform.errors import BadRequest
from tests.browser import accessible_page, open_page, wait_until
from tests.server import free_port, running_server

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo_loaded")]
PANEL_READY = "document.querySelector('#panel-hazards') !== null"
READY = "document.body.dataset.hazardMap === 'ready'"


@contextmanager
def static_server(directory: Path) -> Iterator[str]:
    """`python -m http.server` over ``directory`` (nothing else: no Kasane, no database)."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
         "--directory", str(directory)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: fetch(base + "/edition.json") is not None, 10)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def fetch(url: str) -> Any:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return json.loads(response.read())
    except OSError:
        return None


def wait_for(check: Any, timeout_s: float) -> float:
    """Seconds until ``check()`` is true; fails after ``timeout_s``."""
    started = time.monotonic()
    while not check():
        if time.monotonic() - started > timeout_s:
            pytest.fail(f"not true within {timeout_s} s")
        time.sleep(0.1)
    return time.monotonic() - started


@pytest.fixture(scope="module")
def opened(database_url: str) -> Iterator[list[str]]:
    """Every third shelter open (as staff would set it); put back afterwards."""
    from gis.residents.shelter_status import StatusChange, set_status

    with connect(database_url) as conn:
        token = auth.add_user(conn, "static-edition-opener", "350001", auth.Role.ADMIN)
        principal = auth.authenticate(conn, token)
        ids = [
            str(r[0])
            for r in conn.execute(
                "SELECT s.shelter_id FROM layer_data.shelters s"
                " LEFT JOIN kasane.shelter_status st USING (shelter_id)"
                " WHERE st.shelter_id IS NULL ORDER BY s.fid"
            ).fetchall()
        ][::3]
        for shelter_id in ids:
            set_status(conn, principal, shelter_id, StatusChange("open", "vacant"))
        conn.commit()
    yield ids
    with connect(database_url) as conn:
        conn.execute("DELETE FROM kasane.shelter_status WHERE shelter_id = ANY(%s)", (ids,))
        conn.commit()


@pytest.fixture(scope="module")
def edition(settings, tmp_path_factory, opened) -> Path:  # type: ignore[no-untyped-def]
    from webmap import close, create_app
    from webmap.residents.static_edition import watch

    target = tmp_path_factory.mktemp("static") / "edition"
    app = create_app(settings.model_copy(update={"basemap": "local", "basemap_url": ""}))
    try:
        watch.export_once(app, settings.database_url, target)
    finally:
        close(app)
    return target


@pytest.fixture(scope="module")
def site(edition: Path) -> Iterator[str]:
    with static_server(edition) as base:
        yield base


@pytest.fixture(scope="module")
def deep_point(database_url: str) -> dict[str, Any]:
    """A point inside the deepest demo flood area, with the worst rank of every area there."""
    with connect(database_url) as conn:
        lon, lat = conn.execute(
            "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) AS p"
            " FROM layer_data.flood_depth ORDER BY depth_rank DESC, fid LIMIT 1) t"
        ).fetchone()
        (rank,) = conn.execute(
            "SELECT max(depth_rank) FROM layer_data.flood_depth"
            " WHERE ST_Intersects(geom, ST_SetSRID(ST_MakePoint(%s, %s), 4326))",
            (lon, lat),
        ).fetchone()
    return {"lon": lon, "lat": lat, "rank": rank}


def panel(page: Any) -> dict[str, Any]:
    return page.evaluate(
        """() => ({
          hazards: [...document.querySelectorAll('#panel-hazards li')].map(li => ({
            kind: li.dataset.kind, inside: li.className === 'hazard-in',
            rank: li.dataset.depthRank || null, text: li.textContent})),
          point: document.querySelector('#panel-point').textContent,
          nearest: Object.fromEntries([...document.querySelectorAll('ol.nearest')].map(ol =>
            [ol.dataset.hazard, [...ol.querySelectorAll('li')].map(li => li.dataset.shelterId)]))
        })"""
    )


def test_files_are_relative_and_say_when_they_were_exported(edition: Path) -> None:
    assert edition.is_symlink()
    manifest = json.loads((edition / "edition.json").read_text())
    for lang in ("ja", "en"):
        html = (edition / f"{lang}.html").read_text()
        assert f'<html lang="{lang}">' in html
        assert re.findall(r'(?:src|href)="/', html) == []  # nothing asks the server's root
        assert 'id="exported-at"' in html and manifest["exported_at"] in html
        assert "hazardmap-static.js" in html and "search-box.js" not in html
        for ref in re.findall(r'(?:src|href)="((?:static|vendor)/[^"]+)"', html):
            assert (edition / ref).is_file(), ref
    assert (edition / "index.html").read_text() == (edition / "ja.html").read_text()
    shelters = json.loads((edition / "data" / "shelters.json").read_text())
    assert shelters["features"] and shelters["status_as_of"]


def test_a_folder_that_is_not_an_edition_is_refused(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from kasane.cli import main

    (tmp_path / "site").mkdir()
    result = CliRunner().invoke(
        main, ["export", "static", str(tmp_path / "site")],
        env={"KASANE_DATABASE_URL": settings.database_url},
    )  # fmt: skip
    assert result.exit_code != 0
    assert "is not a static edition" in result.output + str(result.exception or "")


def test_check_a_place_gives_the_live_answer(browser, site, client, deep_point) -> None:  # type: ignore[no-untyped-def]
    lat, lon = deep_point["lat"], deep_point["lon"]
    page, watch = open_page(browser, f"{site}/en.html?lat={lat}&lon={lon}&z=16")
    try:
        wait_until(page, READY)
        wait_until(page, PANEL_READY)
        got = panel(page)
        live = client.get(f"/api/hazards/at?lat={lat}&lon={lon}").get_json()
        flood = next(h for h in got["hazards"] if h["kind"] == "flood_depth")
        assert flood["inside"] and flood["rank"] == str(deep_point["rank"])
        assert [(h["kind"], h["inside"]) for h in got["hazards"]] == [
            (h["kind"], h["inside"]) for h in live["hazards"]
        ]
        assert live["municipality"]["name"] in got["point"]
        assert sorted(got["nearest"]) == ["flood", "landslide"]  # open shelters for both
        for hazard, ids in got["nearest"].items():
            assert ids
            want = client.get(
                f"/api/shelters/nearest?lat={lat:.6f}&lon={lon:.6f}&hazard={hazard}&open=true&n=5"
            ).get_json()
            assert ids == [s["shelter_id"] for s in want["shelters"]], hazard
        assert watch.console_errors == [] and watch.offsite_requests == []
    finally:
        page.context.close()


def test_layer_switcher_and_the_url_state(browser, site, database_url) -> None:  # type: ignore[no-untyped-def]
    with connect(database_url) as conn:
        lon, lat = conn.execute(
            "SELECT ST_X(geom), ST_Y(geom) FROM layer_data.shelters ORDER BY fid LIMIT 1"
        ).fetchone()
    url = f"{site}/ja.html?c={lat},{lon}&z=15&layers=flood,shelters"
    page, watch = open_page(browser, url)
    try:
        wait_until(page, READY)
        assert not page.is_checked("#layer-landslide") and page.is_checked("#layer-flood")
        wait_until(page, "document.querySelectorAll('span.badge[data-shelter-id]').length > 0")
        page.uncheck("#layer-shelters")
        wait_until(page, "document.querySelectorAll('span.badge[data-shelter-id]').length === 0")
        assert "layers=flood&" in page.url or page.url.endswith("layers=flood")
        page.check("#layer-landslide")
        assert re.search(r"layers=flood%2Clandslide", page.url)
        page.check("#layer-shelters")
        wait_until(page, "document.querySelectorAll('span.badge[data-shelter-id]').length > 0")
        assert watch.console_errors == [] and watch.offsite_requests == []
    finally:
        page.context.close()


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_no_errors_no_offsite_requests_no_axe_violations(browser, site, deep_point, lang) -> None:  # type: ignore[no-untyped-def]
    with accessible_page(browser, f"{site}/{lang}.html", lang) as page:
        wait_until(page, READY)
        page.fill("#check-lat", f"{deep_point['lat']:.6f}")
        page.fill("#check-lon", f"{deep_point['lon']:.6f}")
        page.click("#check-submit")
        wait_until(page, PANEL_READY)
        wait_until(page, "document.querySelector('#status-as-of').textContent !== ''")
        exported = page.text_content("#exported-at")
        assert page.text_content("#status-as-of")[:10] == exported[:10]  # worded alike


def test_a_status_change_is_in_the_edition_within_10_s(  # type: ignore[no-untyped-def]
    browser, database_url, tmp_path
) -> None:
    target = tmp_path / "edition"
    with connect(database_url) as conn:
        token = auth.add_user(conn, "static-edition-admin", "350001", auth.Role.ADMIN)
        shelter_id, lon, lat = conn.execute(
            "SELECT s.shelter_id, ST_X(s.geom), ST_Y(s.geom) FROM layer_data.shelters s"
            " LEFT JOIN kasane.shelter_status st USING (shelter_id)"
            " WHERE coalesce(st.status, 'not_opened') = 'not_opened' ORDER BY s.fid LIMIT 1"
        ).fetchone()
        conn.commit()

    def status_in_edition(base: str) -> str | None:
        doc = fetch(base + "/data/shelters.json")
        found = [f for f in (doc or {}).get("features", []) if f["id"] == shelter_id]
        return found[0]["properties"]["open_state"] if found else None

    with running_server(database_url, KASANE_STATIC_EXPORT_DIR=str(target)) as live:
        wait_for(lambda: (target / "edition.json").exists(), 60)  # the first export
        with static_server(target) as site:
            assert status_in_edition(site) == "not_opened"
            put = urllib.request.Request(
                f"{live}/api/shelters/{shelter_id}/status",
                data=json.dumps({"status": "open", "crowding": "vacant"}).encode(),
                method="PUT",
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            )
            try:
                urllib.request.urlopen(put, timeout=10).close()
                seconds = wait_for(lambda: status_in_edition(site) == "open", 10)
                print(f"status change in the static edition after {seconds:.2f} s")
                page, watch = open_page(browser, f"{site}/en.html?c={lat},{lon}&z=16")
                try:
                    marker = f"span.badge[data-shelter-id='{shelter_id}']"
                    wait_until(page, f"document.querySelector({marker!r}) !== null")
                    assert page.get_attribute(marker, "data-status") == "open"
                    assert watch.console_errors == []
                finally:
                    page.context.close()
            finally:
                with connect(database_url) as conn:
                    conn.execute("DELETE FROM kasane.shelter_status WHERE shelter_id = %s",
                                 (shelter_id,))  # fmt: skip
                    conn.commit()


def test_check_target_refuses_a_plain_folder(tmp_path: Path) -> None:
    from webmap.residents.static_edition.edition import check_target

    check_target(tmp_path / "new")  # nothing there yet: fine
    with pytest.raises(BadRequest, match="not a static edition"):
        check_target(tmp_path)


NGINX = """daemon off; worker_processes 1; user root; pid %(dir)s/nginx.pid;
error_log %(dir)s/error.log; events { worker_connections 256; }
http { include /etc/nginx/mime.types; types { application/vnd.mapbox-vector-tile mvt; }
  access_log off; client_body_temp_path %(dir)s; proxy_temp_path %(dir)s;
  fastcgi_temp_path %(dir)s; uwsgi_temp_path %(dir)s; scgi_temp_path %(dir)s;
  server { listen 127.0.0.1:%(port)d; root %(root)s; } }
"""


def test_under_nginx_check_a_place_and_nearest_shelter(  # type: ignore[no-untyped-def]
    browser, edition, client, deep_point, tmp_path
) -> None:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    assert Path(nginx).exists(), "nginx is missing: scripts/setup-system.sh test installs it"
    port = free_port()
    conf = tmp_path / "nginx.conf"
    conf.write_text(NGINX % {"dir": tmp_path, "port": port, "root": edition})
    proc = subprocess.Popen([nginx, "-c", str(conf), "-p", str(tmp_path)])
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: fetch(base + "/edition.json") is not None, 10)
        lat, lon = deep_point["lat"], deep_point["lon"]
        page, watch = open_page(browser, f"{base}/?lat={lat}&lon={lon}&z=16")
        try:
            wait_until(page, PANEL_READY)
            got = panel(page)
            flood = next(h for h in got["hazards"] if h["kind"] == "flood_depth")
            assert flood["rank"] == str(deep_point["rank"])
            want = client.get(
                f"/api/shelters/nearest?lat={lat:.6f}&lon={lon:.6f}&hazard=flood&open=true&n=5"
            ).get_json()
            assert got["nearest"]["flood"] == [s["shelter_id"] for s in want["shelters"]]
            assert watch.console_errors == [] and watch.offsite_requests == []
        finally:
            page.context.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_a_failed_export_leaves_the_edition_as_it_was(  # type: ignore[no-untyped-def]
    settings, tmp_path, monkeypatch
) -> None:
    from webmap import close, create_app
    from webmap.residents.static_edition import data, edition, watch

    target = tmp_path / "edition"
    app = create_app(settings.model_copy(update={"basemap": "local", "basemap_url": ""}))
    try:
        first = watch.export_once(app, settings.database_url, target)
        assert target.resolve() == first.path
        before = (target / "edition.json").read_text()

        def broken(path: Path, doc: Any) -> None:
            raise OSError("disk full")

        monkeypatch.setattr(data, "write_json", broken)
        with pytest.raises(OSError, match="disk full"):
            watch.export_once(app, settings.database_url, target)
        monkeypatch.undo()
        assert target.resolve() == first.path and (target / "edition.json").read_text() == before
        assert not list(edition.editions_root(target).glob("*.tmp"))  # nothing half-written

        second = watch.export_once(app, settings.database_url, target)
        third = watch.export_once(app, settings.database_url, target)
        assert target.resolve() == third.path and third.layers_exported == []
        kept = sorted(p for p in edition.editions_root(target).iterdir())
        assert kept == [second.path, third.path]  # the one before stays for visits under way
        assert (third.path / "tiles").stat().st_ino != (second.path / "tiles").stat().st_ino
        some_tile = next((third.path / "tiles").rglob("*.mvt"))
        twin = second.path / some_tile.relative_to(third.path)
        assert some_tile.stat().st_ino == twin.stat().st_ino  # linked, not exported again
    finally:
        close(app)


def test_the_edition_answers_with_its_database_gone(  # type: ignore[no-untyped-def]
    browser, settings, registry, tmp_path
) -> None:
    """Export from a database of its own, drop that database, then use the edition: every
    answer comes from the files (no Kasane is running either)."""
    from etl.demo import load_demo
    from gis.platform.databases import create_sibling, drop_sibling
    from gis.residents.shelter_status import StatusChange, set_status

    name = "kasane_test_static_gone"
    url = create_sibling(settings.database_url, name)
    try:
        load_demo(url, registry)
        with connect(url) as conn:
            principal = auth.authenticate(
                conn, auth.add_user(conn, "gone-admin", "350001", auth.Role.ADMIN)
            )
            lon, lat, rank = conn.execute(
                "SELECT ST_X(p), ST_Y(p), depth_rank FROM (SELECT ST_PointOnSurface(geom) AS p,"
                " depth_rank FROM layer_data.flood_depth ORDER BY depth_rank DESC, fid LIMIT 1) t"
            ).fetchone()
            (shelter_id,) = conn.execute(
                "SELECT shelter_id FROM layer_data.shelters WHERE hz_flood"
                " ORDER BY geom <-> ST_SetSRID(ST_MakePoint(%s, %s), 4326) LIMIT 1",
                (lon, lat),
            ).fetchone()
            set_status(conn, principal, str(shelter_id), StatusChange("open", "vacant"))
            conn.commit()
        # the command, in a process of its own (this one has served another database)
        exported = subprocess.run(
            [sys.executable, "-m", "kasane", "export", "static", str(tmp_path / "edition")],
            env={**os.environ, "KASANE_DATABASE_URL": url}, capture_output=True, text=True,
            timeout=300,
        )  # fmt: skip
        assert exported.returncode == 0, exported.stderr
    finally:
        drop_sibling(settings.database_url, name)
    with static_server(tmp_path / "edition") as site:
        page, watch = open_page(browser, f"{site}/en.html?lat={lat}&lon={lon}&z=16")
        try:
            wait_until(page, PANEL_READY)
            got = panel(page)
            flood = next(h for h in got["hazards"] if h["kind"] == "flood_depth")
            assert flood["inside"] and int(flood["rank"]) >= rank
            assert got["nearest"]["flood"] == [shelter_id]  # the one open flood shelter
            assert watch.console_errors == [] and watch.offsite_requests == []
        finally:
            page.context.close()
