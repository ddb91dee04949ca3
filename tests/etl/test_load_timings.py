"""``KASANE_TIMINGS=1`` makes ``kasane load`` say where its time went (stderr), and nothing
changes without it. The figures are not judged (speed is for bench/etl.py), only their form:
every phase of a load is there once, each nested phase fits inside the COPY, the total holds
the top-level phases."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from gis.platform import timings

ROOT = Path(__file__).resolve().parents[2]
LINE = re.compile(r"^  (\s*)(\S.*?)\s+(\d+\.\d{3})$")
PHASES = {
    "start-up (Python, imports, settings)",
    "hash files (sha256), compare with served",
    "create version table (drop orphans)",
    "copy into the version table (includes the phases below)",
    "indexes (GiST geom, primary key)",
    "analyze",
    "publish (swap, commit)",
    "total (process start to end)",
}


def _points(path: Path, count: int) -> None:
    features = [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [133.9 + i / 1e4, 34.6]},
         "properties": {"shelter_id": f"T{i}", "lg_code": "332011", "name": f"避難所{i}"}}
        for i in range(count)
    ]  # fmt: skip
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), "utf-8")


def _load(url: str, source: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kasane", "load", "shelters", str(source), "--force"],
        cwd=ROOT, env={**os.environ, "KASANE_DATABASE_URL": url, **env},
        capture_output=True, text=True, timeout=300, check=True,
    )  # fmt: skip


def _parse(stderr: str) -> tuple[dict[str, float], dict[str, float]]:
    """(top-level phases, phases nested in the COPY) of the printout."""
    _, found, body = stderr.partition("kasane timings (wall seconds):\n")
    assert found, stderr
    top: dict[str, float] = {}
    nested: dict[str, float] = {}
    for line in body.splitlines():
        match = LINE.match(line)
        assert match, f"not a phase line: {line!r}"
        target = nested if match[1] else top
        assert match[2] not in target, f"phase printed twice: {match[2]}"
        target[match[2]] = float(match[3])
    return top, nested


def test_timings_name_every_phase_once(etl_url: str, tmp_path: Path) -> None:
    source = tmp_path / "points.geojson"
    _points(source, 50)
    result = _load(etl_url, source, KASANE_TIMINGS="1")
    assert "loaded 50 features" in result.stdout
    top, nested = _parse(result.stderr)
    assert set(top) == PHASES
    assert {name.split(" (")[0] for name in nested} == {
        "read", "map and check rows", "encode geometries", "encode rows"
    }  # fmt: skip
    copy = top["copy into the version table (includes the phases below)"]
    # each runs inside the COPY; read and checks (a worker thread) overlap the encoding
    assert max(nested.values()) <= copy
    steps = sum(v for k, v in top.items() if k != "total (process start to end)")
    # /proc gives the process start in 10 ms steps
    assert steps <= top["total (process start to end)"] + 0.011


@pytest.mark.parametrize("value", [None, "0", ""])
def test_no_timings_unless_asked(etl_url: str, tmp_path: Path, value: str | None) -> None:
    source = tmp_path / "points.geojson"
    _points(source, 5)
    env = {} if value is None else {timings.ENV: value}
    base = {k: v for k, v in os.environ.items() if k != timings.ENV}
    result = subprocess.run(
        [sys.executable, "-m", "kasane", "load", "shelters", str(source), "--force"],
        cwd=ROOT, env={**base, "KASANE_DATABASE_URL": etl_url, **env},
        capture_output=True, text=True, timeout=300, check=True,
    )  # fmt: skip
    assert "timings" not in result.stderr
    assert "loaded 5 features" in result.stdout


def test_phases_add_up_in_first_use_order() -> None:
    timings.reset()
    try:
        timings.add("b", 1.5)
        with timings.phase("a"):
            pass
        timings.add("b", 0.25)
        spent = timings.spent()
        assert list(spent) == ["b", "a"]
        assert spent["b"] == 1.75
        assert spent["a"] >= 0.0
    finally:
        timings.reset()


def test_process_age_is_positive_and_grows() -> None:
    first = timings.since_process_start()
    if first is None:
        pytest.skip("no /proc on this system")
    assert first >= 0.0
    second = timings.since_process_start()
    assert second is not None and second >= first
