"""schemathesis over the OpenAPI document against a live `kasane serve` on a database of its
own: reads anonymously, then every operation (writes included) with a prefecture admin's
token. Zero server errors. Then SQL-injection strings in every parameter of every read
change nothing in the database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gis.platform import auth
from gis.platform.databases import create_sibling, drop_sibling
from gis.platform.db import connect
from tests.server import running_server

MAX_EXAMPLES = int(os.environ.get("KASANE_FUZZ_EXAMPLES", "8"))
INJECTIONS = [
    "' OR '1'='1",
    "1; DROP TABLE kasane.users; --",
    "'); DELETE FROM kasane.audit_log;--",
    "1 UNION SELECT token_sha256 FROM kasane.api_tokens",
    "\\'; SELECT pg_sleep(5); --",
    '" OR ""="',
    "%27%20OR%201%3D1",
]


@pytest.fixture(scope="module")
def fuzz_url(database_url: str, registry: Any) -> Iterator[str]:
    """A fresh database with the demo data (fuzzed writes must not disturb other tests)."""
    from etl.demo import load_demo

    name = database_url.rsplit("/", 1)[1] + "_fuzz"
    url = create_sibling(database_url, name)
    load_demo(url, registry)
    yield url
    drop_sibling(database_url, name)


@pytest.fixture(scope="module")
def fuzz_server(fuzz_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`kasane serve` on the fuzz database, without rate limits."""
    log = tmp_path_factory.mktemp("fuzz-log") / "server.log"
    upload_dir = str(tmp_path_factory.mktemp("fuzz-uploads"))
    limits = {"KASANE_RATE_LIMIT_WRITES": "0", "KASANE_RATE_LIMIT_HEAVY": "0"}
    with running_server(fuzz_url, log=log, KASANE_UPLOAD_DIR=upload_dir, **limits) as base:
        yield base


@pytest.fixture(scope="module")
def admin_token(fuzz_url: str) -> str:
    with connect(fuzz_url) as conn:
        token = auth.add_user(conn, "fuzz-admin", "350001", auth.Role.ADMIN, org_name="山口県")
        conn.commit()
    return token


def _schemathesis(base: str, report: Path, *headers: str) -> subprocess.CompletedProcess[str]:
    args = [str(Path(sys.executable).parent / "st"), "run", f"{base}/api", "--url", base,
            "--checks", "not_a_server_error", "--max-examples", str(MAX_EXAMPLES),
            "--phases", "examples,coverage,fuzzing", "--request-timeout", "30",
            "--suppress-health-check", "all", "--seed", "8", "--workers", "1",
            "--report", "ndjson", "--report-ndjson-path", str(report)]  # fmt: skip
    for header in headers:
        args += ["-H", header]
    # in the report's folder: schemathesis keeps a cache in its working directory
    return subprocess.run(args, capture_output=True, text=True, timeout=900, cwd=report.parent)


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "admin-token"])
def test_schemathesis_finds_no_server_error(
    fuzz_server: str, admin_token: str, signed_in: bool, tmp_path: Path
) -> None:
    headers = [f"Authorization: Bearer {admin_token}"] if signed_in else []
    report = tmp_path / "events.ndjson"
    run = _schemathesis(fuzz_server, report, *headers)
    tail = (run.stdout + run.stderr)[-4000:]
    assert run.returncode == 0, tail
    assert "not_a_server_error" in run.stdout or "passed" in run.stdout.lower(), tail


def _state(url: str) -> Any:
    with connect(url) as conn:
        return [
            conn.execute(q).fetchall()
            for q in (
                "SELECT layer_id, version FROM kasane.layer_current ORDER BY 1",
                "SELECT count(*), max(id) FROM kasane.users",
                "SELECT count(*) FROM kasane.api_tokens WHERE revoked_at IS NULL",
                "SELECT count(*), max(id) FROM kasane.audit_log",
                "SELECT shelter_id, revision FROM kasane.shelter_status ORDER BY 1",
                "SELECT count(*) FROM layer_data.shelters",
            )
        ]


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return int(response.status)
    except urllib.error.HTTPError as err:
        return int(err.code)


def test_sql_injection_in_every_parameter_changes_nothing(fuzz_server: str, fuzz_url: str) -> None:
    with urllib.request.urlopen(f"{fuzz_server}/api", timeout=30) as response:
        doc = json.load(response)
    before = _state(fuzz_url)
    tried = 0
    for path, item in doc["paths"].items():
        op = item.get("get")
        if op is None:
            continue
        names = [p["name"] for p in op["parameters"]]
        for bad in INJECTIONS:
            quoted = urllib.parse.quote(bad, safe="")
            target = path
            query = {}
            for p in op["parameters"]:
                if p["in"] == "path":
                    target = target.replace("{" + p["name"] + "}", quoted)
                else:
                    query[p["name"]] = bad
            for name in names or [""]:
                only = {name: query[name]} if name in query else {}
                status = _get(f"{fuzz_server}{target}?{urllib.parse.urlencode(only)}")
                assert status < 500, (target, name, bad, status)
                tried += 1
    assert tried > 500
    assert _state(fuzz_url) == before
