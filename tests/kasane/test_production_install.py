"""A production install, end to end: `make bundle` (scripts/bundle.sh) builds the offline
bundle; its install.sh installs Kasane's wheel (no dev extras) into a clean virtual environment
and the npm packages with PyPI and npm unreachable; `kasane init --prefecture 33` sets up an
instance for 岡山県 against a fresh database; a shared data file is loaded; the installed server
answers /readyz, the API and its browser libraries; `kasane check` agrees.

Deselect with ``-m "not install"`` (about two minutes, most of it pip unpacking wheels).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from psycopg import sql

from gis.platform.databases import drop_sibling, sibling_url
from gis.platform.db import connect
from tests.server import free_port
from tests.shared_data import missing, shared_path

ROOT = Path(__file__).resolve().parents[2]
UNREACHABLE = "http://127.0.0.1:9"
OKAYAMA_SHELTERS = ("gsi-shelters", "evacuation", "332071.json")  # 笠岡市, 14 shelters

pytestmark = pytest.mark.install
# every module of the installed package imports with only the runtime dependencies
IMPORT_EVERY_MODULE = """
import importlib, pkgutil
names = [m.name for p in ("gis", "etl", "webmap", "kasane")
         for m in pkgutil.walk_packages(importlib.import_module(p).__path__, p + ".")]
for name in names:
    if not name.endswith("__main__"):
        importlib.import_module(name)
print(len(names))
"""


def _clean_env(**extra: str) -> dict[str, str]:
    """The environment of a fresh server: no KASANE_* settings, package indexes unreachable."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KASANE_", "PIP_"))}
    env.pop("VIRTUAL_ENV", None)
    return {
        **env, "PIP_CONFIG_FILE": os.devnull, "PIP_INDEX_URL": f"{UNREACHABLE}/simple",
        "PIP_NO_INPUT": "1", "https_proxy": UNREACHABLE, "http_proxy": UNREACHABLE,
        "HTTPS_PROXY": UNREACHABLE, "HTTP_PROXY": UNREACHABLE, "no_proxy": "127.0.0.1",
        "NO_PROXY": "127.0.0.1", **extra,
    }  # fmt: skip


def _run(args: list[str | Path], cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, f"{args[0]} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bundle") / "kasane-bundle"
    probe = subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "-d", out.parent,
         "click"], capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    if probe.returncode != 0:  # only a missing package index skips; a broken bundle fails
        missing(f"no package index to build the offline bundle from: {probe.stderr[-300:]}",
                "scripts/bundle.sh needs PyPI (or a mirror) and npm")  # fmt: skip
    _run([ROOT / "scripts" / "bundle.sh", out], ROOT, dict(os.environ))
    return out


@pytest.fixture(scope="module")
def fresh_db(database_url: str) -> Iterator[str]:
    name = database_url.rsplit("/", 1)[1].split("?")[0] + f"_inst{os.getpid() % 1000}"
    with connect(database_url, autocommit=True) as admin:  # empty: `kasane init` migrates it
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield sibling_url(database_url, name)
    drop_sibling(database_url, name)


def _get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read()


def _ready(base: str, server: subprocess.Popen[bytes], log: Path) -> dict[str, object]:
    deadline = time.monotonic() + 90
    while True:
        try:
            return dict(json.loads(_get(base + "/readyz")[1]))
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the installed server did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.5)


def test_bundle_installs_offline_and_serves_okayama(
    bundle: Path, fresh_db: str, tmp_path: Path
) -> None:
    assert sorted(p.name for p in bundle.iterdir()) == [
        "SHA256SUMS", "install.sh", "layers", "npm-cache", "package-lock.json", "package.json",
        "wheels",
    ]  # fmt: skip
    target, instance = tmp_path / "opt", tmp_path / "srv"
    env = _clean_env()
    out = _run([bundle / "install.sh", target, "--no-compile"], tmp_path, env)
    assert "installed:" in out
    kasane = target / "venv" / "bin" / "kasane"
    python = target / "venv" / "bin" / "python"
    dev_tools = _run([python, "-c", "import importlib.util as u; print("
                      "[m for m in ('pytest', 'playwright', 'mypy') if u.find_spec(m)])"],
                     tmp_path, env)  # fmt: skip
    assert dev_tools.strip() == "[]", "the wheel must install without the dev extras"
    imported = _run([python, "-c", IMPORT_EVERY_MODULE], tmp_path, env)  # runtime deps declared
    assert int(imported.split()[-1]) > 150

    out = _run([kasane, "init", instance, "--prefecture", "33", "--source", bundle,
                "--database-url", fresh_db], tmp_path, env)  # fmt: skip
    assert "33 岡山県 (Okayama), owner 330001" in out and "EPSG:6673" in out
    shelters = (instance / "layers" / "shelters.toml").read_text(encoding="utf-8")
    assert 'owner = "330001"' in shelters and "岡山県" in shelters and "山口県" not in shelters
    settings = (instance / "kasane.env").read_text(encoding="utf-8")
    assert 'KASANE_PREFECTURE="33"' in settings and 'KASANE_DEADZONE_TARGETS=""' in settings
    assert (instance / "kasane.env").stat().st_mode & 0o077 == 0
    unit = (instance / "deploy" / "kasane.service").read_text(encoding="utf-8")
    assert "Restart=on-failure" in unit and f"ExecStart={kasane} serve" in unit
    nginx = (instance / "deploy" / "nginx-kasane.conf").read_text(encoding="utf-8")
    assert "X-Forwarded-For" in nginx and "ssl_certificate" in nginx

    admin = instance / "bin" / "kasane"
    out = _run([admin, "load", "shelters", shared_path(*OKAYAMA_SHELTERS)], tmp_path, env)
    assert "loaded 14 features" in out

    port = free_port()
    log = tmp_path / "server.log"
    with open(log, "wb") as sink:
        server = subprocess.Popen([admin, "serve", "--port", str(port)], cwd=tmp_path, env=env,
                                  stdout=sink, stderr=subprocess.STDOUT)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        assert _ready(base, server, log) == {"status": "ready"}
        items = json.loads(_get(base + "/collections/shelters/items?f=json&limit=100")[1])
        assert len(items["features"]) == 14
        page = _get(base + "/")[1].decode()
        assert 'lang="ja"' in page
        leaflet = json.loads((instance / "node_modules/leaflet/package.json").read_text())
        status, css = _get(f"{base}/vendor/leaflet@{leaflet['version']}/dist/leaflet.css")
        assert status == 200 and b".leaflet-container" in css
        out = _run([admin, "check", "--url", base], tmp_path, env)
        assert out.rstrip().endswith("ok") and "ready" in out
    finally:
        server.terminate()
        server.wait(timeout=60)
