"""`kasane init --prefecture NN` for any prefecture (岡山県 here), its refusals, and the
reverse-proxy setting it writes (KASANE_PROXY_HOPS)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from flask import request

from gis.geo.prefectures import PREFECTURES, prefecture
from gis.layerstore.registry import LayerRegistry
from gis.platform.settings import Settings
from kasane import instance_files as files
from kasane.instance_files import copy_layer_files, layer_file_for
from webmap import close, create_app

ROOT = Path(__file__).resolve().parents[2]


def kasane(*args: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kasane", *map(str, args)],
        cwd=cwd, env=os.environ, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_prefecture_codes_include_their_check_digit() -> None:
    assert len(PREFECTURES) == 47
    assert prefecture(33).lg_code == "330001" and prefecture("33").ja == "岡山県"
    assert prefecture("35").lg_code == "350001" and prefecture("13").lg_code == "130001"
    assert prefecture("01").ja == "北海道" and prefecture(47).en == "Okinawa"
    with pytest.raises(ValueError, match=r"01 .* to 47"):
        prefecture("48")


def test_every_layer_file_is_rewritten_for_okayama(tmp_path: Path) -> None:
    ids = copy_layer_files(ROOT / "layers", tmp_path, prefecture("33"))
    registry = LayerRegistry.from_dir(tmp_path)
    assert sorted(ids) == sorted(spec.id for spec in registry)
    assert {spec.owner for spec in registry} == {"330001"}
    for path in [*tmp_path.glob("*.toml"), *tmp_path.glob("templates/*.toml")]:
        text = path.read_text(encoding="utf-8")
        assert "山口" not in text and "Yamaguchi" not in text and "350001" not in text, path.name
    shelters = (tmp_path / "shelters.toml").read_text(encoding="utf-8")
    assert "岡山県内市町のオープンデータ" in shelters and "Okayama municipal open data" in shelters


def test_municipal_owners_are_kept() -> None:
    text = 'id = "x"\nowner = "352080"\n[title]\nja = "山口県"\n'
    assert layer_file_for(text, prefecture("33")) == text  # 岩国市 owns it, not the prefecture


def test_init_refuses_an_unknown_prefecture_in_one_line(tmp_path: Path) -> None:
    done = kasane("init", tmp_path / "srv", "--prefecture", "48")
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "kasane: error: '48' is not a prefecture code: give 01 (北海道) to 47 (沖縄県)"
    ]
    assert not (tmp_path / "srv").exists()


def test_init_writes_an_okayama_instance_and_refuses_to_overwrite_it(
    tmp_path: Path, database_url: str
) -> None:
    srv = tmp_path / "srv"
    args = ("init", srv, "--prefecture", "33", "--database-url", database_url, "--port", "8123")
    done = kasane(*args)
    assert done.returncode == 0, done.stderr
    assert "33 岡山県 (Okayama), owner 330001, plane-rectangular zone 5" in done.stdout
    env = (srv / "kasane.env").read_text(encoding="utf-8")
    for line in ('KASANE_PREFECTURE="33"', 'KASANE_DEADZONE_TARGETS=""', 'KASANE_PROXY_HOPS="1"',
                 f'KASANE_LAYERS_DIR="{srv / "layers"}"', 'KASANE_PORT="8123"'):  # fmt: skip
        assert line in env
    assert "server 127.0.0.1:8123;" in (srv / "deploy" / "nginx-kasane.conf").read_text()
    timer = (srv / "deploy" / "kasane-backup.service").read_text(encoding="utf-8")
    assert "backup /var/backups/kasane/kasane-$$(date +%%a).backup" in timer
    assert (srv / "node_modules" / "leaflet" / "package.json").is_file()
    new = subprocess.run([srv / "bin" / "kasane", "layers", "new", "aed", "--template", "aed", "-o",
                          "-"], capture_output=True, text=True, timeout=120)  # fmt: skip
    assert new.returncode == 0, new.stderr
    assert 'owner = "330001"' in new.stdout  # new layers belong to the instance's prefecture
    again = kasane(*args)
    assert again.returncode == 1 and "already holds an instance" in again.stderr
    assert kasane(*args, "--force").returncode == 0


@pytest.mark.parametrize(("hops", "seen"), [(0, "127.0.0.1"), (1, "203.0.113.9")])
def test_client_addresses_come_from_the_proxy_only_when_trusted(
    settings: Settings, hops: int, seen: str
) -> None:
    app = create_app(settings.model_copy(update={"proxy_hops": hops}))
    app.add_url_rule("/_address", "address", lambda: request.remote_addr or "")
    try:
        answer = app.test_client().get("/_address", headers={"X-Forwarded-For": "203.0.113.9"})
        assert answer.get_data(as_text=True) == seen
    finally:
        close(app)


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx not installed")
def test_nginx_accepts_the_example(tmp_path: Path) -> None:
    inst = files.Instance(tmp_path, Path("/opt/kasane/venv/bin/kasane"), "kasane", 8000,
                          "gis.example.lg.jp", tmp_path, tmp_path, 65)  # fmt: skip
    site = files.deploy_files(inst)["deploy/nginx-kasane.conf"]
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=gis.example.lg.jp", "-keyout", tmp_path / "key.pem",
                    "-out", tmp_path / "cert.pem"], check=True, capture_output=True)  # fmt: skip
    site = site.replace("/etc/ssl/certs/gis.example.lg.jp.crt", str(tmp_path / "cert.pem"))
    site = site.replace("/etc/ssl/private/gis.example.lg.jp.key", str(tmp_path / "key.pem"))
    (tmp_path / "site.conf").write_text(site, encoding="utf-8")
    temp = " ".join(f"{d}_temp_path {tmp_path / d};" for d in
                    ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))  # fmt: skip
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path / 'nginx.pid'};\nerror_log {tmp_path / 'error.log'};\nevents {{}}\n"
        f"http {{ access_log off; {temp} include {tmp_path / 'site.conf'}; }}\n",
        encoding="utf-8",
    )
    done = subprocess.run(["nginx", "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "syntax is ok" in done.stderr
