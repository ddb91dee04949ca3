"""`kasane users add | list | revoke` as a person runs them."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

from gis.platform import auth, passwords
from gis.platform.db import connect
from tests.conftest import ROOT
from tests.kasane.test_cli import kasane, one_line_error


def test_add_list_revoke(database_url: str) -> None:
    name = f"cli-{secrets.token_hex(3)}"
    added = kasane(
        "users",
        "add",
        name,
        "--org",
        "352039",
        "--role",
        "editor",
        KASANE_DATABASE_URL=database_url,
    )
    assert added.returncode == 0, added.stderr
    token = added.stdout.strip().splitlines()[-1]
    assert token.startswith("ksn_")
    with connect(database_url) as conn:
        assert auth.authenticate(conn, token).name == name
    listed = kasane("users", "list", KASANE_DATABASE_URL=database_url)
    line = next(x for x in listed.stdout.splitlines() if x.startswith(name))
    assert "352039" in line and "editor" in line and token not in listed.stdout
    assert kasane("users", "revoke", name, KASANE_DATABASE_URL=database_url).returncode == 0
    with connect(database_url) as conn:
        assert name not in {u.name for u in auth.list_users(conn)}
    again = kasane("users", "revoke", name, KASANE_DATABASE_URL=database_url)
    assert "no active user" in one_line_error(again)


def test_bad_org_code_is_one_line(database_url: str) -> None:
    result = kasane("users", "add", "x", "--org", "352038", KASANE_DATABASE_URL=database_url)
    assert "check digit" in one_line_error(result)


def _kasane_typed(typed: str, *args: str, url: str) -> subprocess.CompletedProcess[str]:
    """`kasane ARGS` with ``typed`` on its standard input (answers to the password prompts)."""
    return subprocess.run(
        [sys.executable, "-m", "kasane", *args], input=typed, capture_output=True, text=True,
        cwd=ROOT, env={**os.environ, "KASANE_DATABASE_URL": url}, timeout=120,
    )  # fmt: skip


def test_add_with_password_then_reset(database_url: str) -> None:
    name = f"cli-pw-{secrets.token_hex(3)}"
    secret = "typed twice, never echoed"
    added = _kasane_typed(f"{secret}\n{secret}\n", "users", "add", name, "--org", "352039",
                          "--password", url=database_url)  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert secret not in added.stdout + added.stderr
    throttle = passwords.Throttle.of(name, "cli-test")
    with connect(database_url) as conn:
        assert passwords.verify(conn, name, secret, throttle).name == name
    short = _kasane_typed("short\nshort\n", "users", "password", name, url=database_url)
    assert short.returncode == 1 and "Traceback" not in short.stderr
    # (without a terminal, getpass warns before the prompts; the error is the last line)
    assert short.stderr.strip().splitlines()[-1] == (
        "kasane: error: the password must have at least 10 characters"
    )
    other = "another good password"
    reset = _kasane_typed(f"{other}\n{other}\n", "users", "password", name, url=database_url)
    assert reset.returncode == 0, reset.stderr
    with connect(database_url) as conn:
        assert passwords.verify(conn, name, other, throttle).name == name
