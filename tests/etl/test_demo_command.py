"""`kasane demo --no-serve` as a user runs it, on a fresh database: every demo layer and feed
loaded, the transit-blank areas of each demo municipality published, and a quarter of the
shelters opened as a drill, once."""

from __future__ import annotations

import os
import subprocess
import sys

from gis.platform.db import connect
from tests.etl.conftest import ROOT


def _demo(url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KASANE_DATABASE_URL": url}
    return subprocess.run(
        [sys.executable, "-m", "kasane", "demo", "--no-serve"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=True,
    )  # fmt: skip


def test_demo_opens_a_drill_once_and_keeps_later_changes(etl_url: str) -> None:
    first = _demo(etl_url)
    with connect(etl_url) as conn:
        shelters = [r[0] for r in conn.execute("SELECT shelter_id FROM layer_data.shelters"
                                               " ORDER BY fid")]  # fmt: skip
        opened = conn.execute(
            "SELECT shelter_id, distribution FROM kasane.shelter_status WHERE status = 'open'"
        ).fetchall()
        feeds = conn.execute("SELECT feed_id FROM transit.feeds ORDER BY 1").fetchall()
        blank = conn.execute(
            "SELECT lg_code, count(*), sum(population) FROM layer_data.transit_blank_areas"
            " GROUP BY 1 ORDER BY 1"
        ).fetchall()
    assert f"{len(shelters[::4])} shelters opened as a drill" in first.stderr
    assert {r[0] for r in opened} == set(shelters[::4])
    assert {r[1] for r in opened} == {"Exercise"}
    assert [r[0] for r in feeds] == ["hofu_demo", "yamaguchi_demo"]
    assert [r[0] for r in blank] == ["352021", "352039", "352063"]  # every demo municipality
    assert all(r[1] > 0 and r[2] > 0 for r in blank)
    assert first.stderr.count(" blank areas of ") == 3  # one summary per municipality

    with connect(etl_url) as conn:  # a resident's status change made after the first demo
        conn.execute(
            "UPDATE kasane.shelter_status SET status = 'closed' WHERE shelter_id = %s",
            (shelters[0],),
        )
        conn.commit()
    again = _demo(etl_url)
    assert "opened as a drill" not in again.stderr
    assert " blank areas of " not in again.stderr  # published once, kept afterwards
    assert "unchanged" in again.stderr
    with connect(etl_url) as conn:
        row = conn.execute(
            "SELECT status FROM kasane.shelter_status WHERE shelter_id = %s", (shelters[0],)
        ).fetchone()
    assert row == ("closed",)
