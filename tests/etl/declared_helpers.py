"""Running ``kasane`` against a layers directory of a test's own (copies of layers/)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.etl.conftest import ROOT


def layers_copy(tmp_path: Path) -> Path:
    """A copy of the real layer files, to add new ones to."""
    target = tmp_path / "layers"
    shutil.copytree(ROOT / "layers", target, ignore=shutil.ignore_patterns("templates", "*.md"))
    return target


def kasane(
    url: str, layers: Path, *args: str, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """`kasane ARGS` as a user runs it, against ``url`` and the layer files in ``layers``."""
    env = {**os.environ, "KASANE_DATABASE_URL": url, "KASANE_LAYERS_DIR": str(layers)}
    proc = subprocess.run(
        [sys.executable, "-m", "kasane", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if check and proc.returncode != 0:
        raise AssertionError(proc.stdout + proc.stderr)
    return proc


def issues(report: Path) -> list[tuple[str, int | None, str | None, str]]:
    """(file, row, field, action) of every issue of a JSON load report."""
    data = json.loads(report.read_text("utf-8"))
    return [
        (f["name"], i["row"], i["field"], i["action"])
        for f in data["files"]
        for i in f["issues"]
        if i["action"] != "warning"
    ]
