"""GDAL's OGC API - Features driver (``ogrinfo -where``) against a live Kasane: the features
it returns for an attribute filter are the ones the demo frame says, and GDAL sent the filter
to the server (``filter=…``) rather than filtering on its side. GDAL 3.6 (Debian 12) finds
the filter through the OpenAPI document's ``filter-lang`` enum (the drafts' ``cql-text``) and
sends only the queryables listed as items parameters; ``IN`` it keeps for itself."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from typing import Any

import pandas as pd
import pytest

from tests.demo import demo_frames

OGRINFO = shutil.which("ogrinfo")
pytestmark = pytest.mark.skipif(
    OGRINFO is None, reason="ogrinfo not installed (Debian gdal-bin: scripts/setup-system.sh test)"
)

WHERES = [
    ("capacity > 500", lambda f: f.capacity.gt(500).fillna(False)),
    ("kind = 'welfare' AND hz_flood = 0", lambda f: (f.kind == "welfare") & ~f.hz_flood),
    ("name LIKE '%小学校%'", lambda f: f.name.str.contains("小学校").fillna(False)),
    ("capacity IS NULL OR kind = 'shelter'", lambda f: f.capacity.isna() | (f.kind == "shelter")),
    (
        "name LIKE '%センター' AND capacity >= 100",
        lambda f: f.name.str.endswith("センター").fillna(False) & f.capacity.ge(100).fillna(False),
    ),
]


def _ogrinfo(base: str, where: str) -> tuple[set[str], str]:
    env = {**os.environ, "CPL_DEBUG": "ON", "GDAL_HTTP_TIMEOUT": "60"}
    proc = subprocess.run(
        [str(OGRINFO), "-ro", "-q", "-al", f"OAPIF:{base}/collections/shelters", "-where", where],
        capture_output=True, text=True, env=env, timeout=180, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    ids = set(re.findall(r"^\s*shelter_id \(String\) = (\S+)$", proc.stdout, re.MULTILINE))
    return ids, proc.stderr


@pytest.mark.parametrize(("where", "expect"), WHERES, ids=[w for w, _ in WHERES])
def test_ogrinfo_where_returns_the_same_features(live_server: str, where: str, expect: Any) -> None:
    frame = demo_frames()["shelters"]
    mask = pd.Series(expect(frame)).to_numpy(dtype=bool)
    expected = set(frame.shelter_id[mask])
    assert 0 < len(expected) < len(frame)
    got, log = _ogrinfo(live_server, where)
    assert got == expected, log[-3000:]
    assert "filter=" in log, (
        log[-4000:] + "GDAL filtered on its side: the server's Part 3 was not used"
    )
